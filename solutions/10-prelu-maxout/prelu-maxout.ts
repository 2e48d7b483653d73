/**
 * Exercise 10 — the activations of the lecture that learn: PReLU, a leaky ReLU whose negative
 * slope is a parameter (He et al., 2015), and maxout, the maximum of k linear pieces (Goodfellow
 * et al., 2013).
 *
 * Shapes: PReLU takes `x [N, D]` with one slope per feature, `alpha [D]`, or `x [N, C, H, W]` with
 * one slope per channel, `alpha [C]`: in both, the slope of an element is chosen by its index on
 * axis 1. Maxout takes `x [N, D]`, k pieces `W [k, D, M]` and `b [k, M]`, and returns `[N, M]`.
 */
import { assertShape, assertTensor, matmul, shapeError, transpose, type Tensor } from '../../lib/index.ts';

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

// BEGIN SOLUTION
//> export interface PreluCache {
//>   // TODO: what preluBackward reads.
//>   [name: string]: unknown;
//> }
export interface PreluCache {
  x: Tensor;
  alpha: Tensor;
}
// END SOLUTION

// BEGIN SOLUTION
//> export interface MaxoutCache {
//>   // TODO: what maxoutBackward reads.
//>   [name: string]: unknown;
//> }
export interface MaxoutCache {
  x: Tensor;
  /** The k pieces' weights, `[D, M]` each. */
  pieces: Tensor[];
  /** The winning piece of every output, row-major over `[N, M]`. */
  winner: Int32Array;
}
// END SOLUTION

// BEGIN SOLUTION
/** The number of elements sharing one slope per step along axis 1 (1 for [N, D], H·W for [N, C, H, W]). */
function inner(x: Tensor): number {
  return x.shape.slice(2).reduce((p, d) => p * d, 1);
}
// END SOLUTION

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
  // BEGIN SOLUTION
  // TODO: check x is [N, D] or [N, C, H, W] and alpha is [x.shape[1]] (assertShape from lib).
  const fn = 'preluForward';
  assertTensor(fn, 'x', x);
  if (x.shape.length !== 2 && x.shape.length !== 4) throw shapeError(fn, 'x', '2 dimensions [N, D] or 4 dimensions [N, C, H, W]', x.shape);
  const C = x.shape[1]!;
  assertShape(fn, 'alpha', alpha, [C]);
  const S = inner(x);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = x.data[i]!;
    out[i] = v > 0 ? v : alpha.data[Math.floor(i / S) % C]! * v;
  }
  return { out: { shape: [...x.shape], data: out }, cache: { x: { shape: [...x.shape], data: x.data.slice() }, alpha: { shape: [C], data: alpha.data.slice() } } };
  // END SOLUTION
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
  // BEGIN SOLUTION
  const { x, alpha } = cache;
  assertShape('preluBackward', 'dout', dout, x.shape);
  const C = alpha.data.length;
  const S = inner(x);
  const dx = new Float64Array(x.data.length);
  const dalpha = new Float64Array(C);
  for (let i = 0; i < dx.length; i++) {
    const v = x.data[i]!;
    const c = Math.floor(i / S) % C;
    if (v > 0) dx[i] = dout.data[i]!;
    else {
      // out = alpha_c · x here: ∂out/∂x = alpha_c and ∂out/∂alpha_c = x.
      dx[i] = alpha.data[c]! * dout.data[i]!;
      dalpha[c]! += x.data[i]! * dout.data[i]!;
    }
  }
  return { dx: { shape: [...x.shape], data: dx }, dalpha: { shape: [C], data: dalpha } };
  // END SOLUTION
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
  // BEGIN SOLUTION
  // TODO: check x [N, D], W [k, D, M] with k ≥ 1, b [k, M].
  const fn = 'maxoutForward';
  assertShape(fn, 'x', x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  assertShape(fn, 'W', W, [null, D, null], '[k, D, M]');
  const [k, , M] = W.shape as [number, number, number];
  if (k === 0) throw shapeError(fn, 'W', 'at least one piece', W.shape);
  assertShape(fn, 'b', b, [k, M]);
  // Each piece is an affine layer: piece_j = x · W[j] + b[j], computed with the matmul kernel.
  const pieces = Array.from({ length: k }, (_, j) => ({ shape: [D, M], data: W.data.slice(j * D * M, (j + 1) * D * M) }));
  const scores = pieces.map((w) => matmul(x, w).data);
  const out = new Float64Array(N * M);
  const winner = new Int32Array(N * M);
  for (let i = 0; i < N * M; i++) {
    let best = -Infinity;
    for (let j = 0; j < k; j++) {
      const s = scores[j]![i]! + b.data[j * M + (i % M)]!;
      if (s > best || j === 0) {
        best = s;
        winner[i] = j; // strictly greater: the first of equal pieces keeps the win
      }
    }
    out[i] = best;
  }
  return { out: { shape: [N, M], data: out }, cache: { x: { shape: [N, D], data: x.data.slice() }, pieces, winner } };
  // END SOLUTION
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
  // BEGIN SOLUTION
  const { x, pieces, winner } = cache;
  const [N, D] = x.shape as [number, number];
  const k = pieces.length;
  const M = pieces[0]!.shape[1]!;
  assertShape('maxoutBackward', 'dout', dout, [N, M]);
  const dx = new Float64Array(N * D);
  const dW = new Float64Array(k * D * M);
  const db = new Float64Array(k * M);
  const xT = transpose(x);
  for (let j = 0; j < k; j++) {
    // Piece j is an affine layer that sees the gradient of the outputs it won, and nothing else.
    const g: Tensor = { shape: [N, M], data: dout.data.map((v, i) => (winner[i] === j ? v : 0)) };
    for (let i = 0; i < N * M; i++) db[j * M + (i % M)]! += g.data[i]!;
    dW.set(matmul(xT, g).data, j * D * M);
    const dxj = matmul(g, transpose(pieces[j]!)).data;
    for (let i = 0; i < N * D; i++) dx[i]! += dxj[i]!;
  }
  return { dx: { shape: [N, D], data: dx }, dW: { shape: [k, D, M], data: dW }, db: { shape: [k, M], data: db } };
  // END SOLUTION
}
