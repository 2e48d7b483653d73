/**
 * Datasets as the trainer sees them: images `[N, H, W, C]` (channels last, as exercise 06 expects)
 * with integer labels, split into train / validation / test.
 */
import { assertShape, createRng, type Tensor } from '../../lib/index.ts';
import type { Labels } from '../softmax-loss.ts';

/** One split: images and their labels. */
export interface Split {
  /** `[N, H, W, C]`. */
  x: Tensor;
  /** `[N]` classes. */
  y: Labels;
}

export interface Dataset {
  /** 'mnist', 'cifar10', … */
  name: string;
  /** Class names, index = label. */
  classes: readonly string[];
  train: Split;
  val: Split;
  test: Split;
}

/** The rows `indices` of a split, in that order. */
export function takeRows(split: Split, indices: ArrayLike<number>): Split {
  const [N, ...rest] = split.x.shape as number[];
  const rowSize = rest.reduce((p, d) => p * d, 1);
  const x = new Float64Array(indices.length * rowSize);
  const y = new Int32Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    if (!Number.isInteger(i) || i < 0 || i >= N!) throw new RangeError(`takeRows: index ${i} is out of range for ${N} rows`);
    x.set(split.x.data.subarray(i * rowSize, (i + 1) * rowSize), r * rowSize);
    y[r] = split.y[i]!;
  }
  return { x: { shape: [indices.length, ...rest], data: x }, y };
}

/** The first `n` rows of a split (all of it when it has fewer). */
export function head(split: Split, n: number): Split {
  const count = Math.min(n, split.y.length);
  return takeRows(split, Array.from({ length: count }, (_, i) => i));
}

/**
 * Splits labelled images into train / val / test, stratified: each class contributes to val and
 * test in proportion to its size (largest remainders), so every split has the same class mix.
 * Which images go where depends only on `seed`.
 *
 * @param x `[N, H, W, C]`; @param y `[N]` labels in `[0, C)`.
 * @returns the three splits, each shuffled.
 */
export function stratifiedSplit(
  x: Tensor,
  y: Labels,
  options: { val: number; test: number; seed: string; numClasses: number },
): { train: Split; val: Split; test: Split } {
  assertShape('stratifiedSplit', 'x', x, [y.length, null, null, null], '[N, H, W, C]');
  const { val, test, seed, numClasses } = options;
  if (val + test > y.length) throw new RangeError(`stratifiedSplit: val + test = ${val + test} exceeds the ${y.length} images`);
  const rng = createRng(seed);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < y.length; i++) byClass[y[i]!]!.push(i);
  const quota = (total: number): number[] => {
    // Largest-remainder apportionment of `total` among the classes, by class size.
    const exact = byClass.map((members) => (members.length * total) / y.length);
    const counts = exact.map(Math.floor);
    const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
    const shortfall = total - counts.reduce((s, v) => s + v, 0);
    for (let k = 0; k < shortfall; k++) counts[order[k]!.c]!++;
    return counts;
  };
  const valCounts = quota(val);
  const testCounts = quota(test);
  const parts = { train: [] as number[], val: [] as number[], test: [] as number[] };
  byClass.forEach((members, c) => {
    const shuffled = rng.shuffle(members);
    parts.test.push(...shuffled.slice(0, testCounts[c]));
    parts.val.push(...shuffled.slice(testCounts[c], testCounts[c]! + valCounts[c]!));
    parts.train.push(...shuffled.slice(testCounts[c]! + valCounts[c]!));
  });
  const split: Split = { x, y };
  return {
    train: takeRows(split, rng.shuffle(parts.train)),
    val: takeRows(split, rng.shuffle(parts.val)),
    test: takeRows(split, rng.shuffle(parts.test)),
  };
}
