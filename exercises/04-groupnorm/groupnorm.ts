// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.
// Run this exercise's tests with `npm test <this folder>`; the README next to this file is the brief.
/**
 * Exercise 04 — layer normalization (Ba, Kiros & Hinton, 2016) and group normalization (Wu & He, 2018).
 *
 * Batch norm (exercise 03) averages each feature over the samples of a batch. These two never look
 * across the batch: every sample is normalized on its own, so a batch of one works and training and
 * test time behave the same.
 *
 * Shapes: layer norm takes rows `x [N, D]` with `gamma`, `beta` `[D]`. Group norm takes images
 * `x [N, C, H, W]` with `gamma`, `beta` `[C]`, one value per channel, and splits the C channels into
 * `G` groups of `C / G` contiguous channels: group g holds channels g·C/G … (g+1)·C/G − 1.
 */
import { assertShape, formatShape, NotImplementedError, ones, reshape, type Tensor, zeros } from '../../lib/index.ts';

/**
 * Everything `layernormBackward` needs from the forward pass. The design is yours: store exactly
 * what your backward pass reads.
 */
export interface LayernormCache {
  // TODO: the values your backward pass needs, e.g. the normalized input x̂ and 1/√(σ² + ε) per row.
  [name: string]: unknown;
}

/**
 * Everything `groupnormBackward` needs from the forward pass. The design is yours: store exactly
 * what your backward pass reads.
 */
export interface GroupnormCache {
  // TODO: the values your backward pass needs (a layer-norm cache of your own is welcome here).
  [name: string]: unknown;
}

export interface LayernormResult {
  /** γ ⊙ x̂ + β, `[N, D]`. */
  out: Tensor;
  cache: LayernormCache;
}

export interface LayernormGradients {
  /** ∂L/∂x, `[N, D]`. */
  dx: Tensor;
  /** ∂L/∂γ, `[D]`. */
  dgamma: Tensor;
  /** ∂L/∂β, `[D]`. */
  dbeta: Tensor;
}

export interface GroupnormResult {
  /** γ_c · x̂ + β_c, `[N, C, H, W]`. */
  out: Tensor;
  cache: GroupnormCache;
}

export interface GroupnormGradients {
  /** ∂L/∂x, `[N, C, H, W]`. */
  dx: Tensor;
  /** ∂L/∂γ, `[C]`. */
  dgamma: Tensor;
  /** ∂L/∂β, `[C]`. */
  dbeta: Tensor;
}

/**
 * Layer normalization, forward pass. For each row i, over its D features:
 *   μ_i = (1/D) Σ_d x_id,   σ²_i = (1/D) Σ_d (x_id − μ_i)²
 *   x̂_id = (x_id − μ_i) / √(σ²_i + ε),   out_id = γ_d x̂_id + β_d
 *
 * NOTE: the statistics are per row (per sample), never over the batch axis as in batch norm.
 * NOTE: σ² is the biased variance (divide by D, not D − 1), and ε goes inside the square root.
 *
 * @param x `[N, D]` input: N samples of D features.
 * @param gamma `[D]` scale, one per feature.
 * @param beta `[D]` shift, one per feature.
 * @param eps added to the variance inside the square root. Default 1e-5.
 * @returns `{ out [N, D], cache }`.
 * @throws RangeError on a wrong shape.
 */
export function layernormForward(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): LayernormResult {
  // TODO: check the shapes first (assertShape from lib): x [N, D], gamma [D], beta [D].
  throw new NotImplementedError('layernormForward', 'exercises/04-groupnorm/groupnorm.ts');
}

/**
 * Layer normalization, backward pass. γ and β enter as in batch norm: dβ and dγ are sums of
 * dout and dout ⊙ x̂ over the rows. Each x_id reaches the loss directly through x̂_id and through
 * its row's mean μ_i and variance σ²_i: the closed form you derived for batch norm carries over,
 * with the sums running over the D features of one row instead of over the batch.
 *
 * @param dout `[N, D]` upstream gradient.
 * @param cache what `layernormForward` returned.
 * @returns `{ dx [N, D], dgamma [D], dbeta [D] }`.
 * @throws RangeError when `dout` does not have the shape of the forward pass's `x`.
 */
export function layernormBackward(dout: Tensor, cache: LayernormCache): LayernormGradients {
  // TODO: check that dout has the shape of x; then, row by row, the two sums over the row's features.
  throw new NotImplementedError('layernormBackward', 'exercises/04-groupnorm/groupnorm.ts');
}

/**
 * Group normalization, forward pass. The C channels form G groups of C/G contiguous channels
 * (channel c belongs to group ⌊c / (C/G)⌋). For each sample n and group g, over the
 * M = (C/G)·H·W values x_n,c,h,w with c in g:
 *   μ_ng = (1/M) Σ x,   σ²_ng = (1/M) Σ (x − μ_ng)²
 *   x̂_nchw = (x_nchw − μ_ng) / √(σ²_ng + ε),   out_nchw = γ_c x̂_nchw + β_c
 * G = 1 (one group holding every channel) is layer norm over (C, H, W); G = C (one channel per
 * group) is instance norm over (H, W).
 *
 * NOTE: groups are contiguous channels (0 … C/G − 1 first), not every G-th channel.
 * NOTE: γ and β are per channel `[C]`, not per group; the statistics are per group, per sample.
 *
 * @param x `[N, C, H, W]` input.
 * @param gamma `[C]` scale, one per channel.
 * @param beta `[C]` shift, one per channel.
 * @param G number of groups: a positive integer that divides C.
 * @param eps added to the variance inside the square root. Default 1e-5.
 * @returns `{ out [N, C, H, W], cache }`.
 * @throws RangeError on a wrong shape, or a G that is not a positive integer dividing C.
 */
export function groupnormForward(x: Tensor, gamma: Tensor, beta: Tensor, G: number, eps = 1e-5): GroupnormResult {
  // TODO: check x [N, C, H, W], gamma [C], beta [C], and that G is a positive integer dividing C.
  // TODO: one (sample, group) pair is one row of (C/G)·H·W values. Normalize those rows with your layer norm.
  throw new NotImplementedError('groupnormForward', 'exercises/04-groupnorm/groupnorm.ts');
}

/**
 * Group normalization, backward pass. The per-channel affine first:
 *   dβ_c = Σ_n,h,w dout_nchw,   dγ_c = Σ_n,h,w dout_nchw x̂_nchw,   dx̂ = dout ⊙ γ_c
 * then dx is layer norm's dx on the same `[N·G, (C/G)·H·W]` rows, fed dx̂ (that layer norm had γ = 1).
 *
 * NOTE: dγ and dβ are sums per channel (over n, h, w), not per group.
 *
 * @param dout `[N, C, H, W]` upstream gradient.
 * @param cache what `groupnormForward` returned.
 * @returns `{ dx [N, C, H, W], dgamma [C], dbeta [C] }`.
 */
export function groupnormBackward(dout: Tensor, cache: GroupnormCache): GroupnormGradients {
  throw new NotImplementedError('groupnormBackward', 'exercises/04-groupnorm/groupnorm.ts');
}
