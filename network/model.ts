/**
 * What the solver trains: a model with named parameters, optional non-trained state (batch norm's
 * running statistics), a training loss with gradients, and test-time scores.
 */
import type { Rng, Tensor } from '../lib/index.ts';
import type { Labels } from './softmax-loss.ts';

export type Params = Record<string, Tensor>;

export interface LossResult {
  /** Data loss + regularization loss. */
  loss: number;
  /** ∂loss/∂param for every entry of `params`, same keys and shapes. */
  grads: Params;
}

export interface Model {
  /** Trainable parameters by name (W1, b1, gamma1, …). The solver replaces them after each update. */
  params: Params;
  /**
   * State that is not trained by gradient descent, e.g. batch norm's running mean and variance.
   * A training-mode `loss` call replaces it with the updated statistics.
   */
  state: Params;
  /**
   * Training-mode forward and backward pass on a minibatch.
   * @param x the minibatch; @param y its labels; @param rng draws dropout masks (a fixed default
   *   when omitted, so repeated calls are deterministic, as a gradient check needs).
   */
  loss(x: Tensor, y: Labels, rng?: Rng): LossResult;
  /** Test-mode class scores `[N, C]`. */
  scores(x: Tensor): Tensor;
}

/** Index of the largest score in each row of `scores [N, C]`. */
export function argmaxRows(scores: Tensor): Int32Array {
  const [N, C] = scores.shape as [number, number];
  const out = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let best = 0;
    for (let j = 1; j < C; j++) if (scores.data[i * C + j]! > scores.data[i * C + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** Rows `from … to − 1` of a tensor, as a new tensor. */
export function sliceRows(x: Tensor, from: number, to: number): Tensor {
  const row = x.shape.slice(1).reduce((p, d) => p * d, 1);
  return { shape: [to - from, ...x.shape.slice(1)], data: x.data.slice(from * row, to * row) };
}

/** Test-mode predictions for every row of `x`, in batches of `batchSize` to bound memory. */
export function predict(model: Model, x: Tensor, batchSize = 500): Int32Array {
  const N = x.shape[0]!;
  const out = new Int32Array(N);
  for (let from = 0; from < N; from += batchSize) {
    const to = Math.min(N, from + batchSize);
    out.set(argmaxRows(model.scores(sliceRows(x, from, to))), from);
  }
  return out;
}

/** Fraction of rows whose prediction equals the label. */
export function accuracy(predictions: Int32Array, y: Labels): number {
  if (y.length === 0) return NaN;
  let right = 0;
  for (let i = 0; i < y.length; i++) if (predictions[i] === y[i]) right++;
  return right / y.length;
}
