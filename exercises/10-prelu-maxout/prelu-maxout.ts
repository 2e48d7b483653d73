// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.
// Run this exercise's tests with `npm test <this folder>`; the README next to this file is the brief.
/**
 * Exercise 10 — the activations of the lecture that learn: PReLU, a leaky ReLU whose negative
 * slope is a parameter (He et al., 2015), and maxout, the maximum of k linear pieces (Goodfellow
 * et al., 2013).
 *
 * Shapes: PReLU takes `x [N, D]` with one slope per feature, `alpha [D]`, or `x [N, C, H, W]` with
 * one slope per channel, `alpha [C]`: in both, the slope of an element is chosen by its index on
 * axis 1. Maxout takes `x [N, D]`, k pieces `W [k, D, M]` and `b [k, M]`, and returns `[N, M]`.
 */
import { assertShape, assertTensor, matmul, NotImplementedError, shapeError, type Tensor, transpose } from '../../lib/index.ts';

/** What a forward pass returns. */
export interface LayerResult<Cache> {
  out: Tensor;
  /** What the matching backward pass needs. */
  cache: Cache;
}

/** ∂L/∂x and ∂L/∂alpha of PReLU. */
export interface PreluGradients {
  /** The shape of x. */
  dx: Tensor;
  /** The shape of alpha. */
  dalpha: Tensor;
}

/** ∂L/∂x, ∂L/∂W and ∂L/∂b of maxout. */
export interface MaxoutGradients {
  /** `[N, D]`. */
  dx: Tensor;
  /** `[k, D, M]`. */
  dW: Tensor;
  /** `[k, M]`. */
  db: Tensor;
}

// Each cache is yours to design: store exactly what your backward pass reads.

export interface PreluCache {
  // TODO: what preluBackward reads.
  [name: string]: unknown;
}

export interface MaxoutCache {
  // TODO: what maxoutBackward reads.
  [name: string]: unknown;
}


/**
 * PReLU, forward: a leaky ReLU whose slope for negative inputs is learned, one per feature
 * (`x [N, D]`) or per channel (`x [N, C, H, W]`):
 *   out = x            where x > 0
 *   out = alpha_c · x   where x ≤ 0,   c the index of the element on axis 1
 * With alpha = 0 it is ReLU, with alpha = 0.01 leaky ReLU; He et al. start from alpha = 0.25.
 *
 * NOTE: for `[N, C, H, W]` the channel of `x.data[i]` is ⌊i / (H·W)⌋ mod C, not i mod C (that is
 * the layout of `[N, D]` only).
 *
 * @param x `[N, D]` or `[N, C, H, W]` (never mutated).
 * @param alpha `[D]` or `[C]`: one slope per entry of axis 1 (never mutated).
 * @returns `{ out, cache }`, `out` the shape of x.
 * @throws RangeError when x is not of rank 2 or 4, or alpha's shape is not `[x.shape[1]]`.
 */
export function preluForward(x: Tensor, alpha: Tensor): LayerResult<PreluCache> {
  // TODO: check x is [N, D] or [N, C, H, W] and alpha is [x.shape[1]] (assertShape from lib).
  throw new NotImplementedError('preluForward', 'exercises/10-prelu-maxout/prelu-maxout.ts');
}

/**
 * PReLU, backward: the gradients with respect to the input and to the slopes.
 *   dx     = dout ⊙ ∂out/∂x
 *   dalpha = for each slope, the sum of dout ⊙ ∂out/∂alpha_c over every element that uses it
 *
 * NOTE: at exactly x = 0 take the x ≤ 0 side (slope alpha), as leaky ReLU does in exercise 01.
 * NOTE: one slope is shared by every sample and, for `[N, C, H, W]`, every pixel of its channel.
 *
 * @param dout upstream gradient, the shape of the forward pass's x (never mutated).
 * @param cache what `preluForward` returned.
 * @returns `{ dx, dalpha }`, the shapes of x and alpha.
 * @throws RangeError when dout does not have the shape of x.
 */
export function preluBackward(dout: Tensor, cache: PreluCache): PreluGradients {
  throw new NotImplementedError('preluBackward', 'exercises/10-prelu-maxout/prelu-maxout.ts');
}

/**
 * Maxout, forward: each output is the largest of k affine pieces of the input,
 *   out[n, m] = max_j ( Σ_d x[n, d] · W[j, d, m] + b[j, m] ),   j = 0 … k − 1
 * With k = 2, W[0] = 0 and b[0] = 0 it is ReLU of the affine map x · W[1] + b[1]: ReLU and leaky
 * ReLU are special cases, at the price of k times the parameters.
 *
 * NOTE: on a tie the piece with the smallest index wins (as numpy's argmax), which decides where
 * the backward pass sends the gradient.
 *
 * @param x `[N, D]` (never mutated).
 * @param W `[k, D, M]`, the k pieces' weights (never mutated).
 * @param b `[k, M]`, the k pieces' biases (never mutated).
 * @returns `{ out [N, M], cache }`.
 * @throws RangeError when the shapes do not fit together or k is 0.
 */
export function maxoutForward(x: Tensor, W: Tensor, b: Tensor): LayerResult<MaxoutCache> {
  // TODO: check x [N, D], W [k, D, M] with k ≥ 1, b [k, M].
  throw new NotImplementedError('maxoutForward', 'exercises/10-prelu-maxout/prelu-maxout.ts');
}

/**
 * Maxout, backward: every output is one of its pieces, so its gradient flows into that piece only.
 *
 * NOTE: on a tie the gradient goes to the piece that won in the forward pass (the smallest index),
 * whole; it is not shared.
 *
 * @param dout `[N, M]` upstream gradient (never mutated).
 * @param cache what `maxoutForward` returned.
 * @returns `{ dx [N, D], dW [k, D, M], db [k, M] }`.
 * @throws RangeError when dout does not have the shape of the forward pass's output.
 */
export function maxoutBackward(dout: Tensor, cache: MaxoutCache): MaxoutGradients {
  throw new NotImplementedError('maxoutBackward', 'exercises/10-prelu-maxout/prelu-maxout.ts');
}
