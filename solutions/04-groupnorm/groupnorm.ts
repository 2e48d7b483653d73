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
import { assertShape, formatShape, ones, reshape, zeros, type Tensor } from '../../lib/index.ts';

/**
 * Everything `layernormBackward` needs from the forward pass. The design is yours: store exactly
 * what your backward pass reads.
 */
// BEGIN SOLUTION
//> export interface LayernormCache {
//>   // TODO: the values your backward pass needs, e.g. the normalized input x̂ and 1/√(σ² + ε) per row.
//>   [name: string]: unknown;
//> }
export interface LayernormCache {
  /** x̂ = (x − μ) / √(σ² + ε), `[N, D]`. */
  xhat: Tensor;
  /** 1 / √(σ²_i + ε), one per row, `[N]`. */
  invStd: Tensor;
  gamma: Tensor;
}
// END SOLUTION

/**
 * Everything `groupnormBackward` needs from the forward pass. The design is yours: store exactly
 * what your backward pass reads.
 */
// BEGIN SOLUTION
//> export interface GroupnormCache {
//>   // TODO: the values your backward pass needs (a layer-norm cache of your own is welcome here).
//>   [name: string]: unknown;
//> }
export interface GroupnormCache {
  /** The layer-norm cache of the `[N·G, (C/G)·H·W]` view, made with γ = 1 and β = 0. */
  rows: LayernormCache;
  /** x̂ as an image, `[N, C, H, W]`. */
  xhat: Tensor;
  gamma: Tensor;
  G: number;
}
// END SOLUTION

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
  // BEGIN SOLUTION
  // TODO: check the shapes first (assertShape from lib): x [N, D], gamma [D], beta [D].
  const fn = 'layernormForward';
  assertShape(fn, 'x', x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  assertShape(fn, 'gamma', gamma, [D]);
  assertShape(fn, 'beta', beta, [D]);

  const invStd = new Float64Array(N);
  const xhat = new Float64Array(N * D);
  const out = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    const row = i * D;
    let mu = 0;
    for (let d = 0; d < D; d++) mu += x.data[row + d]!;
    mu /= D;
    let variance = 0;
    for (let d = 0; d < D; d++) variance += (x.data[row + d]! - mu) ** 2;
    variance /= D;
    invStd[i] = 1 / Math.sqrt(variance + eps);
    for (let d = 0; d < D; d++) {
      xhat[row + d] = (x.data[row + d]! - mu) * invStd[i]!;
      out[row + d] = gamma.data[d]! * xhat[row + d]! + beta.data[d]!;
    }
  }
  return {
    out: { shape: [N, D], data: out },
    cache: {
      xhat: { shape: [N, D], data: xhat },
      invStd: { shape: [N], data: invStd },
      gamma: { shape: [D], data: gamma.data.slice() },
    },
  };
  // END SOLUTION
}

/**
 * Layer normalization, backward pass. γ and β enter as in batch norm: dβ and dγ are sums of
 * dout and dout ⊙ x̂ over the rows. Each x_id reaches the loss directly through x̂_id and through
 * its row's mean μ_i and variance σ²_i: the closed form you derived for batch norm carries over,
 * with the sums running over the D features of one row instead of over the batch.
 *
 * @solution-only With dx̂ = dout ⊙ γ and s_i = 1/√(σ²_i + ε):
 *   dβ_d = Σ_i dout_id,   dγ_d = Σ_i dout_id x̂_id
 *   dx_id = (s_i / D) · (D · dx̂_id − Σ_e dx̂_ie − x̂_id · Σ_e dx̂_ie x̂_ie)
 * The two sums are the paths through μ_i and σ²_i: batch norm's closed form with the roles of
 * the axes swapped (sums run over the features of one row, not over the batch).
 *
 * @param dout `[N, D]` upstream gradient.
 * @param cache what `layernormForward` returned.
 * @returns `{ dx [N, D], dgamma [D], dbeta [D] }`.
 * @throws RangeError when `dout` does not have the shape of the forward pass's `x`.
 */
export function layernormBackward(dout: Tensor, cache: LayernormCache): LayernormGradients {
  // BEGIN SOLUTION
  // TODO: check that dout has the shape of x; then, row by row, the two sums over the row's features.
  const { xhat, invStd, gamma } = cache;
  const [N, D] = xhat.shape as [number, number];
  assertShape('layernormBackward', 'dout', dout, [N, D]);
  const dbeta = new Float64Array(D);
  const dgamma = new Float64Array(D);
  const dx = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    const row = i * D;
    let sumDxhat = 0;
    let sumDxhatXhat = 0;
    for (let d = 0; d < D; d++) {
      const dxhat = dout.data[row + d]! * gamma.data[d]!;
      dbeta[d]! += dout.data[row + d]!;
      dgamma[d]! += dout.data[row + d]! * xhat.data[row + d]!;
      sumDxhat += dxhat;
      sumDxhatXhat += dxhat * xhat.data[row + d]!;
    }
    for (let d = 0; d < D; d++) {
      const dxhat = dout.data[row + d]! * gamma.data[d]!;
      dx[row + d] = (invStd.data[i]! / D) * (D * dxhat - sumDxhat - xhat.data[row + d]! * sumDxhatXhat);
    }
  }
  return { dx: { shape: [N, D], data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
  // END SOLUTION
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
  // BEGIN SOLUTION
  // TODO: check x [N, C, H, W], gamma [C], beta [C], and that G is a positive integer dividing C.
  const fn = 'groupnormForward';
  assertShape(fn, 'x', x, [null, null, null, null], '[N, C, H, W]');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  assertShape(fn, 'gamma', gamma, [C]);
  assertShape(fn, 'beta', beta, [C]);
  if (typeof G !== 'number') throw new TypeError(`${fn}: 'G' must be a number, got ${typeof G}`);
  if (!Number.isInteger(G) || G < 1) throw new RangeError(`${fn}: 'G' must be a positive integer, got ${G}`);
  if (C % G !== 0) {
    throw new RangeError(`${fn}: 'G' must divide the number of channels C = ${C} of x ${formatShape(x.shape)}, got G = ${G}`);
  }
  const Cg = C / G;
  const HW = H * W;

  // TODO: one (sample, group) pair is one row of (C/G)·H·W values. Normalize those rows with your layer norm.
  // Group g's channels are contiguous in memory, so the rows are a plain reshape of x.
  const rows = layernormForward(reshape(x, [N * G, Cg * HW]), ones([Cg * HW]), zeros([Cg * HW]), eps);
  const xhat = reshape(rows.out, [N, C, H, W]);

  const out = new Float64Array(N * C * HW);
  for (let k = 0; k < out.length; k++) {
    const c = Math.floor(k / HW) % C;
    out[k] = gamma.data[c]! * xhat.data[k]! + beta.data[c]!;
  }
  return {
    out: { shape: [N, C, H, W], data: out },
    cache: { rows: rows.cache, xhat, gamma: { shape: [C], data: gamma.data.slice() }, G },
  };
  // END SOLUTION
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
  // BEGIN SOLUTION
  const { rows, xhat, gamma } = cache;
  const [N, C, H, W] = xhat.shape as [number, number, number, number];
  assertShape('groupnormBackward', 'dout', dout, [N, C, H, W]);
  const HW = H * W;
  const dbeta = new Float64Array(C);
  const dgamma = new Float64Array(C);
  const dxhat = new Float64Array(N * C * HW);
  for (let k = 0; k < dxhat.length; k++) {
    const c = Math.floor(k / HW) % C;
    dbeta[c]! += dout.data[k]!;
    dgamma[c]! += dout.data[k]! * xhat.data[k]!;
    dxhat[k] = dout.data[k]! * gamma.data[c]!;
  }
  const { dx } = layernormBackward({ shape: rows.xhat.shape, data: dxhat }, rows);
  return { dx: reshape(dx, [N, C, H, W]), dgamma: { shape: [C], data: dgamma }, dbeta: { shape: [C], data: dbeta } };
  // END SOLUTION
}
