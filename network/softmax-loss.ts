/**
 * The softmax classifier's loss: cross-entropy between the softmax of the class scores and the
 * correct class.
 */
import { assertShape, type Tensor } from '../lib/index.ts';

/** Class labels, one integer in `[0, C)` per sample. */
export type Labels = Int32Array;

/**
 * Checks labels against the number of samples N and classes C.
 * @throws TypeError when `y` is not an array of numbers; RangeError for a wrong length or a label
 *   that is not an integer in `[0, C)`.
 */
export function assertLabels(fn: string, y: unknown, N: number, C: number): asserts y is Labels | readonly number[] {
  if (!(y instanceof Int32Array) && !(Array.isArray(y) && y.every((v) => typeof v === 'number'))) {
    throw new TypeError(`${fn}: 'y' must be an Int32Array or an array of class labels`);
  }
  const labels = y as ArrayLike<number>;
  if (labels.length !== N) throw new RangeError(`${fn}: 'y' must have ${N} labels (one per row of 'x'), got ${labels.length}`);
  for (let i = 0; i < N; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= C) throw new RangeError(`${fn}: 'y[${i}]' must be a class in [0, ${C}), got ${c}`);
  }
}

/**
 * Softmax loss and its gradient (CS231n's `softmax_loss`), averaged over the batch:
 *
 *   p_ij = exp(s_ij − max_j s_ij) / Σ_k exp(s_ik − max_k s_ik)
 *   L = −(1/N) Σ_i log p_{i, y_i},   dL/ds_ij = (p_ij − [j = y_i]) / N
 *
 * NOTE: subtracting each row's max changes nothing mathematically and keeps exp from overflowing.
 *
 * @param x `[N, C]` class scores.
 * @param y `[N]` correct classes (an Int32Array or a plain array of integers).
 * @returns `{ loss, dx [N, C] }`.
 */
export function softmaxLoss(x: Tensor, y: Labels | readonly number[]): { loss: number; dx: Tensor } {
  const fn = 'softmaxLoss';
  assertShape(fn, 'x', x, [null, null], '[N, C]');
  const [N, C] = x.shape as [number, number];
  if (N === 0) throw new RangeError(`${fn}: 'x' must have at least one row, got [0, ${C}]`);
  assertLabels(fn, y, N, C);
  const dx = new Float64Array(N * C);
  let loss = 0;
  for (let i = 0; i < N; i++) {
    const row = i * C;
    let max = -Infinity;
    for (let j = 0; j < C; j++) max = Math.max(max, x.data[row + j]!);
    let sum = 0;
    for (let j = 0; j < C; j++) {
      dx[row + j] = Math.exp(x.data[row + j]! - max);
      sum += dx[row + j]!;
    }
    // log p_{i,y} = s_{i,y} − max − log Σ exp(…), computed without dividing first.
    loss -= x.data[row + y[i]!]! - max - Math.log(sum);
    for (let j = 0; j < C; j++) dx[row + j] = dx[row + j]! / sum / N;
    dx[row + y[i]!]! -= 1 / N;
  }
  return { loss: loss / N, dx: { shape: [N, C], data: dx } };
}
