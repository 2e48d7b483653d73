/**
 * Data: the embedded MNIST digits and their fixed split; the CIFAR-10 binary loader on small files
 * written here in the dataset's exact format; the augmentation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createRng } from '../lib/index.ts';
import { randomTranslate } from './augment.ts';
import { CIFAR10_CLASSES, DatasetError, loadCifar10, readCifarBatch } from './data/cifar10.ts';
import { loadMnist, loadMnistDigits } from './data/mnist.ts';

describe('MNIST', () => {
  const digits = loadMnistDigits();
  const mnist = loadMnist();

  test('loadMnistDigits › reads the 10,000 real 28×28 digits of the mnist package, values in [0, 1]', () => {
    expect(digits.x.shape).toEqual([10000, 28, 28, 1]);
    expect(Math.min(...digits.x.data.subarray(0, 78400))).toBe(0);
    expect(Math.max(...digits.x.data.subarray(0, 78400))).toBeLessThanOrEqual(1);
    const perClass = Array.from({ length: 10 }, (_, c) => digits.y.filter((v) => v === c).length);
    expect(perClass.every((n) => n > 800 && n < 1200)).toBe(true);
  });

  test('loadMnist › splits 8,000 / 1,000 / 1,000, stratified, disjoint, and the same on every call', () => {
    expect([mnist.train.y.length, mnist.val.y.length, mnist.test.y.length]).toEqual([8000, 1000, 1000]);
    for (const split of [mnist.val, mnist.test]) {
      for (let c = 0; c < 10; c++) {
        const share = split.y.filter((v) => v === c).length / split.y.length;
        const overall = digits.y.filter((v) => v === c).length / digits.y.length;
        expect(Math.abs(share - overall)).toBeLessThan(0.002);
      }
    }
    // Disjoint: no test image appears in the training split (compare the images themselves).
    const key = (data: Float64Array, i: number): string => data.subarray(i * 784, (i + 1) * 784).join(',');
    const train = new Set(Array.from({ length: 8000 }, (_, i) => key(mnist.train.x.data, i)));
    const overlap = Array.from({ length: 1000 }, (_, i) => key(mnist.test.x.data, i)).filter((k) => train.has(k)).length;
    expect(overlap).toBeLessThan(5); // the package holds a handful of exact duplicate digits
    const again = loadMnist();
    expect(Array.from(again.test.y)).toEqual(Array.from(mnist.test.y));
  });
});

describe('CIFAR-10 binary format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-cifar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A record: label byte, then 1,024 red, 1,024 green, 1,024 blue bytes, each plane row-major. */
  function record(label: number, pixel: (c: number, y: number, x: number) => number): Buffer {
    const bytes = Buffer.alloc(3073);
    bytes[0] = label;
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) bytes[1 + c * 1024 + y * 32 + x] = pixel(c, y, x);
    return bytes;
  }
  const pattern = (n: number) => (c: number, y: number, x: number) => (n * 7 + c * 80 + y * 3 + x) % 256;
  const batch = (from: number, count: number): Buffer => Buffer.concat(Array.from({ length: count }, (_, i) => record((from + i) % 10, pattern(from + i))));
  for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), batch((b - 1) * 30, 30));
  writeFileSync(join(dir, 'test_batch.bin'), batch(1000, 20));

  test('readCifarBatch › labels from the first byte; pixel (y, x) of plane c lands at [n, y, x, c] / 255', () => {
    const { x, y } = readCifarBatch(join(dir, 'data_batch_2.bin'));
    expect(x.shape).toEqual([30, 32, 32, 3]);
    expect(Array.from(y.subarray(0, 3))).toEqual([0, 1, 2]);
    for (const [n, yy, xx, c] of [[0, 0, 0, 0], [3, 5, 17, 1], [29, 31, 31, 2]] as const) {
      expect(x.data[((n * 32 + yy) * 32 + xx) * 3 + c]).toBeCloseTo(pattern(30 + n)(c, yy, xx) / 255, 12);
    }
  });

  test('loadCifar10 › the five training batches minus the last val images, and test_batch.bin', () => {
    const data = loadCifar10(dir, { val: 20 });
    expect(data.classes).toEqual(CIFAR10_CLASSES);
    expect([data.train.y.length, data.val.y.length, data.test.y.length]).toEqual([130, 20, 20]);
    expect(data.val.y[19]).toBe(149 % 10);
    const limited = loadCifar10(dir, { val: 20, limit: 50 });
    expect([limited.train.y.length, limited.val.y.length, limited.test.y.length]).toEqual([50, 14, 20]);
  });

  test('loadCifar10 › names the folder and the missing files; a truncated file is not CIFAR', () => {
    const empty = mkdtempSync(join(tmpdir(), 'gradlab-cifar-empty-'));
    expect(() => loadCifar10(empty)).toThrow(DatasetError);
    expect(() => loadCifar10(empty)).toThrow(/missing data_batch_1\.bin, .*test_batch\.bin/);
    expect(() => loadCifar10(join(empty, 'nope'))).toThrow(/CIFAR-10 folder not found/);
    writeFileSync(join(empty, 'bad.bin'), Buffer.alloc(3000));
    expect(() => readCifarBatch(join(empty, 'bad.bin'))).toThrow(/not a multiple of 3073/);
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('augmentation', () => {
  test('randomTranslate › shifts the raw image and fills with black, in both layouts', () => {
    // One 3×3 image with a single bright pixel in the centre, mean 0.1 everywhere.
    const mean = new Float64Array(9).fill(0.1);
    const raw = new Float64Array(9);
    raw[4] = 1;
    const x = { shape: [1, 9], data: raw.map((v, i) => v - mean[i]!) };
    const seen = new Set<number>();
    const rng = createRng(3);
    for (let t = 0; t < 60; t++) {
      const out = randomTranslate(x, { order: 'nhwc', height: 3, width: 3, channels: 1 }, mean, 1, rng);
      const back = out.data.map((v, i) => v + mean[i]!);
      expect(back.filter((v) => Math.abs(v - 1) < 1e-12).length).toBe(1);
      expect(back.filter((v) => Math.abs(v) < 1e-12).length).toBe(8);
      seen.add(back.findIndex((v) => Math.abs(v - 1) < 1e-12));
    }
    expect(seen.size).toBe(9); // every shift in [−1, 1]² happened
  });
});
