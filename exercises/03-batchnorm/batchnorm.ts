// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.
// Run this exercise's tests with `npm test <this folder>`; the README next to this file is the brief.
/**
 * Exercise 03 — batch normalization for fully connected layers (Ioffe & Szegedy, 2015).
 *
 * Shapes: `x [N, D]` is a minibatch of N rows with D features; `gamma`, `beta` and the running
 * statistics are `[D]`, one value per feature.
 */
import { assertShape, NotImplementedError, type Tensor } from '../../lib/index.ts';

export interface BatchnormParams {
  /** 'train' normalizes with the batch statistics; 'test' with the running ones. */
  mode: 'train' | 'test';
  /** Added to the variance inside the square root. Default 1e-5. */
  eps?: number;
  /** Weight of the old running statistics. Default 0.9. */
  momentum?: number;
  /** Running mean `[D]`; zeros when missing. */
  runningMean?: Tensor;
  /** Running variance `[D]`; zeros when missing. */
  runningVar?: Tensor;
}

/**
 * Everything `batchnormBackward` needs from the forward pass. The design is yours: store exactly
 * what your backward pass reads.
 */
export interface BatchnormCache {
  // TODO: the values your backward pass needs, e.g. the normalized input x̂ and 1/√(σ² + ε).
  [name: string]: unknown;
}

export interface BatchnormResult {
  /** γ ⊙ x̂ + β, `[N, D]`. */
  out: Tensor;
  cache: BatchnormCache;
  /** The updated running mean `[D]` (in test mode: the one given, unchanged). */
  runningMean: Tensor;
  /** The updated running variance `[D]`. */
  runningVar: Tensor;
}

export interface BatchnormGradients {
  /** ∂L/∂x, `[N, D]`. */
  dx: Tensor;
  /** ∂L/∂γ, `[D]`. */
  dgamma: Tensor;
  /** ∂L/∂β, `[D]`. */
  dbeta: Tensor;
}

/**
 * Batch normalization, forward pass.
 *
 * Train mode, for each feature d over the N rows of the minibatch:
 *   μ_d = (1/N) Σ_i x_id,   σ²_d = (1/N) Σ_i (x_id − μ_d)²
 *   x̂_id = (x_id − μ_d) / √(σ²_d + ε),   out_id = γ_d x̂_id + β_d
 *   runningMean ← momentum · runningMean + (1 − momentum) · μ   (runningVar likewise with σ²)
 * Test mode normalizes with runningMean and runningVar instead and leaves them unchanged.
 *
 * NOTE: σ² is the biased variance (divide by N, not N − 1), and ε goes inside the square root.
 *
 * @param x `[N, D]` input.
 * @param gamma `[D]` scale.
 * @param beta `[D]` shift.
 * @param params mode, eps, momentum and the running statistics (never mutated).
 * @returns `{ out [N, D], cache, runningMean [D], runningVar [D] }`.
 * @throws RangeError on a wrong shape, an unknown mode, or an empty batch in train mode.
 */
export function batchnormForward(x: Tensor, gamma: Tensor, beta: Tensor, params: BatchnormParams): BatchnormResult {
  // TODO: check the shapes first (assertShape from lib): x [N, D], gamma [D], beta [D], running stats [D].
  throw new NotImplementedError('batchnormForward', 'exercises/03-batchnorm/batchnorm.ts');
}

/**
 * Batch normalization, backward pass, node by node through the computational graph of the
 * forward pass: walk it from `out` back to `x` one node at a time, applying each node's local
 * gradient to the gradient that arrives from above. Every x_id reaches the loss three ways —
 * directly through x̂_id, through the mean μ_d and through the variance σ²_d — and dx sums all
 * three. dγ and dβ are sums over the batch axis.
 *
 * NOTE: after a test-mode forward, μ and σ² are the running statistics, constants: only the direct
 * path remains, `dx = dout ⊙ γ / √(runningVar + ε)`.
 *
 * @param dout `[N, D]` upstream gradient.
 * @param cache what `batchnormForward` returned.
 * @returns `{ dx [N, D], dgamma [D], dbeta [D] }`.
 * @throws RangeError when `dout` does not have the shape of the forward pass's `x`.
 */
export function batchnormBackward(dout: Tensor, cache: BatchnormCache): BatchnormGradients {
  // TODO: check that dout has the shape of x. Then go backwards one node at a time: out = γ x̂ + β first, x − μ last.
  throw new NotImplementedError('batchnormBackward', 'exercises/03-batchnorm/batchnorm.ts');
}

/**
 * Batch normalization, backward pass in a simplified closed form: the three paths of
 * `batchnormBackward`, collapsed on paper into one expression for dx in terms of dx̂ = dout ⊙ γ,
 * x̂ and 1/√(σ² + ε). It needs two sums over the batch and gives the same numbers as
 * `batchnormBackward` to rounding error; dγ and dβ are the same sums as there.
 *
 * NOTE: after a test-mode forward only the direct path remains, as in `batchnormBackward`.
 *
 * @param dout `[N, D]` upstream gradient.
 * @param cache what `batchnormForward` returned.
 * @returns `{ dx [N, D], dgamma [D], dbeta [D] }`.
 * @throws RangeError when `dout` does not have the shape of the forward pass's `x`.
 */
export function batchnormBackwardAlt(dout: Tensor, cache: BatchnormCache): BatchnormGradients {
  // TODO: derive dx on paper from your graph version first; then compute the two sums over the batch once per feature.
  throw new NotImplementedError('batchnormBackwardAlt', 'exercises/03-batchnorm/batchnorm.ts');
}
