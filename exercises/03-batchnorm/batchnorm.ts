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
 * forward pass (train mode):
 *   x̂ = (x − μ) · s with s = (σ² + ε)^(−1/2);  out = γ x̂ + β
 *   dβ = Σ_i dout,  dγ = Σ_i dout ⊙ x̂,  dx̂ = dout ⊙ γ
 *   ds = Σ_i dx̂ ⊙ (x − μ),  dσ² = −½ s³ · ds
 *   d(x − μ) = dx̂ · s + (2/N)(x − μ) · dσ²,  dμ = −Σ_i d(x − μ)
 *   dx = d(x − μ) + dμ / N
 *
 * @param dout `[N, D]` upstream gradient.
 * @param cache what `batchnormForward` returned.
 * @returns `{ dx [N, D], dgamma [D], dbeta [D] }`.
 */
export function batchnormBackward(dout: Tensor, cache: BatchnormCache): BatchnormGradients {
  throw new NotImplementedError('batchnormBackward', 'exercises/03-batchnorm/batchnorm.ts');
}

/**
 * Batch normalization, backward pass in the simplified closed form (train mode):
 *   dx = (s / N) · (N · dx̂ − Σ_i dx̂ − x̂ ⊙ Σ_i (dx̂ ⊙ x̂)),  with dx̂ = dout ⊙ γ and s = 1/√(σ² + ε)
 * dγ and dβ as in `batchnormBackward`. Same result, one pass fewer.
 *
 * @param dout `[N, D]` upstream gradient.
 * @param cache what `batchnormForward` returned.
 * @returns `{ dx [N, D], dgamma [D], dbeta [D] }`.
 */
export function batchnormBackwardAlt(dout: Tensor, cache: BatchnormCache): BatchnormGradients {
  throw new NotImplementedError('batchnormBackwardAlt', 'exercises/03-batchnorm/batchnorm.ts');
}
