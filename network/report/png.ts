/**
 * A minimal PNG encoder (8-bit grey or RGB, no interlace), enough to embed weight images in a
 * self-contained HTML report as `data:` URLs. PNG = signature, then chunks (length, type, data,
 * CRC-32): IHDR (size and pixel format), IDAT (zlib-compressed scanlines, each prefixed by filter
 * byte 0), IEND.
 */
import { crc32 as zlibCrc32, deflateSync } from 'node:zlib';

/** CRC-32 (ISO 3309, as PNG specifies) of `bytes`: Node's own zlib implementation. */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes);
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes an image as PNG.
 * @param pixels `height · width · channels` bytes, row by row, channels interleaved.
 * @param channels 1 (grey) or 3 (RGB).
 */
export function encodePng(width: number, height: number, channels: 1 | 3, pixels: Uint8Array): Buffer {
  if (pixels.length !== width * height * channels) {
    throw new RangeError(`encodePng: 'pixels' must hold ${width}×${height}×${channels} = ${width * height * channels} bytes, got ${pixels.length}`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = channels === 1 ? 0 : 2; // colour type: grey or RGB
  const stride = width * channels;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) Buffer.from(pixels.subarray(y * stride, (y + 1) * stride)).copy(raw, y * (stride + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** `encodePng` as a `data:image/png;base64,…` URL. */
export function pngDataUrl(width: number, height: number, channels: 1 | 3, pixels: Uint8Array): string {
  return `data:image/png;base64,${encodePng(width, height, channels, pixels).toString('base64')}`;
}

/**
 * Maps values to bytes 0…255 linearly so that the smallest becomes 0 and the largest 255
 * (a constant image becomes mid-grey): how CS231n shows learned weights.
 */
export function normalizeToBytes(values: ArrayLike<number>): Uint8Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = hi > lo ? Math.round((255 * (values[i]! - lo)) / (hi - lo)) : 128;
  return out;
}
