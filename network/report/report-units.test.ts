/**
 * The report's small parts, without a browser: PNG encoding, tick placement, smoothing, escaping.
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { crc32, encodePng, normalizeToBytes } from './png.ts';
import { escapeXml, linearTicks, logTicks, scatterChart } from './svg.ts';
import { movingAverage } from './training-report.ts';

describe('png', () => {
  test('crc32 › the standard check value: CRC-32("123456789") = 0xCBF43926', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  test('encodePng › signature, IHDR with size and colour type, and scanlines that inflate back to the pixels', () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i * 10);
    const png = encodePng(3, 2, 3, pixels);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([3, 2, 8, 2]);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('ascii', 37, 41)).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    // Each scanline: filter byte 0, then 3 pixels × 3 channels.
    expect([...raw]).toEqual([0, ...pixels.subarray(0, 9), 0, ...pixels.subarray(9)]);
  });

  test('normalizeToBytes › maps min → 0 and max → 255; a constant image is mid-grey', () => {
    expect([...normalizeToBytes([-1, 0, 1])]).toEqual([0, 128, 255]);
    expect([...normalizeToBytes([2, 2])]).toEqual([128, 128]);
  });
});

describe('svg', () => {
  test('linearTicks › steps of 1, 2 or 5 × 10ᵏ inside the range', () => {
    expect(linearTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks(0.93, 0.99)).toEqual([0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99]);
  });

  test('logTicks › the powers of ten in the range', () => {
    expect(logTicks(3e-5, 2e-1)).toEqual([1e-4, 1e-3, 1e-2, 1e-1]);
  });

  test('scatterChart › escapes labels, and draws one mark per point plus the colour bar', () => {
    const svg = scatterChart(
      [
        { x: 1e-3, y: 1e-4, value: 0.9, label: 'a<b' },
        { x: 1e-2, y: 1e-3, value: 0.5, label: 'c', shape: 'diamond', highlight: true },
      ],
      { title: 't', xLabel: 'x', yLabel: 'y', valueLabel: 'v' },
    );
    expect(svg).toContain('a&lt;b');
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg.match(/<path d="M[^"]*Z"/g)).toHaveLength(1);
    expect(escapeXml('"&"')).toBe('&quot;&amp;&quot;');
  });

  test('movingAverage › averages the last `window` values (fewer at the start)', () => {
    expect(movingAverage([2, 4, 6, 8], 2)).toEqual([2, 3, 5, 7]);
  });
});
