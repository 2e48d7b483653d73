/**
 * Exercise 03 — batch normalization for fully connected layers (Ioffe & Szegedy, 2015).
 *
 * Shapes: `x [N, D]` is a minibatch of N rows with D features; `gamma`, `beta` and the running
 * statistics are `[D]`, one value per feature.
 */
import { assertShape, type Tensor } from '../../lib/index.ts';

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
// BEGIN SOLUTION
//> export interface BatchnormCache {
//>   // TODO: the values your backward pass needs, e.g. the normalized input x̂ and 1/√(σ² + ε).
//>   [name: string]: unknown;
//> }
export interface BatchnormCache {
  mode: 'train' | 'test';
  /** x̂ = (x − μ) / √(σ² + ε), `[N, D]`. */
  xhat: Tensor;
  /** x − μ, `[N, D]` (the computational-graph backward walks through it). */
  xmu: Tensor;
  /** 1 / √(σ² + ε), `[D]`. */
  invStd: Tensor;
  gamma: Tensor;
}
// END SOLUTION

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
  // BEGIN SOLUTION
  // TODO: check the shapes first (assertShape from lib): x [N, D], gamma [D], beta [D], running stats [D].
  const fn = 'batchnormForward';
  assertShape(fn, 'x', x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  assertShape(fn, 'gamma', gamma, [D]);
  assertShape(fn, 'beta', beta, [D]);
  const { mode, eps = 1e-5, momentum = 0.9 } = params;
  if (mode !== 'train' && mode !== 'test') throw new RangeError(`${fn}: 'mode' must be 'train' or 'test', got ${String(mode)}`);
  if (params.runningMean !== undefined) assertShape(fn, 'runningMean', params.runningMean, [D]);
  if (params.runningVar !== undefined) assertShape(fn, 'runningVar', params.runningVar, [D]);
  const runningMean = params.runningMean?.data.slice() ?? new Float64Array(D);
  const runningVar = params.runningVar?.data.slice() ?? new Float64Array(D);

  let mu: Float64Array;
  let variance: Float64Array;
  if (mode === 'train') {
    if (N === 0) throw new RangeError(`${fn}: 'x' must have at least one row in train mode, got [0, ${D}]`);
    mu = new Float64Array(D);
    variance = new Float64Array(D);
    for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) mu[d]! += x.data[i * D + d]! / N;
    for (let i = 0; i < N; i++) {
      for (let d = 0; d < D; d++) {
        const c = x.data[i * D + d]! - mu[d]!;
        variance[d]! += (c * c) / N;
      }
    }
    for (let d = 0; d < D; d++) {
      runningMean[d] = momentum * runningMean[d]! + (1 - momentum) * mu[d]!;
      runningVar[d] = momentum * runningVar[d]! + (1 - momentum) * variance[d]!;
    }
  } else {
    mu = runningMean.slice();
    variance = runningVar.slice();
  }

  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const xmu = new Float64Array(N * D);
  const xhat = new Float64Array(N * D);
  const out = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      xmu[k] = x.data[k]! - mu[d]!;
      xhat[k] = xmu[k]! * invStd[d]!;
      out[k] = gamma.data[d]! * xhat[k]! + beta.data[d]!;
    }
  }
  return {
    out: { shape: [N, D], data: out },
    cache: {
      mode,
      xhat: { shape: [N, D], data: xhat },
      xmu: { shape: [N, D], data: xmu },
      invStd: { shape: [D], data: invStd },
      gamma: { shape: [D], data: gamma.data.slice() },
    },
    runningMean: { shape: [D], data: runningMean },
    runningVar: { shape: [D], data: runningVar },
  };
  // END SOLUTION
}

/**
 * Batch normalization, backward pass, node by node through the computational graph of the
 * forward pass: walk it from `out` back to `x` one node at a time, applying each node's local
 * gradient to the gradient that arrives from above. Every x_id reaches the loss three ways —
 * directly through x̂_id, through the mean μ_d and through the variance σ²_d — and dx sums all
 * three. dγ and dβ are sums over the batch axis.
 *
 * @solution-only The graph, node by node (train mode):
 *   x̂ = (x − μ) · s with s = (σ² + ε)^(−1/2);  out = γ x̂ + β
 *   dβ = Σ_i dout,  dγ = Σ_i dout ⊙ x̂,  dx̂ = dout ⊙ γ
 *   ds = Σ_i dx̂ ⊙ (x − μ),  dσ² = −½ s³ · ds
 *   d(x − μ) = dx̂ · s + (2/N)(x − μ) · dσ²,  dμ = −Σ_i d(x − μ)
 *   dx = d(x − μ) + dμ / N
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
  // BEGIN SOLUTION
  // TODO: check that dout has the shape of x. Then go backwards one node at a time: out = γ x̂ + β first, x − μ last.
  const { xhat, xmu, invStd, gamma } = cache;
  const [N, D] = xhat.shape as [number, number];
  assertShape('batchnormBackward', 'dout', dout, [N, D]);
  const dbeta = new Float64Array(D);
  const dgamma = new Float64Array(D);
  const dxhat = new Float64Array(N * D);
  const ds = new Float64Array(D);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      dbeta[d]! += dout.data[k]!;
      dgamma[d]! += dout.data[k]! * xhat.data[k]!;
      dxhat[k] = dout.data[k]! * gamma.data[d]!;
      ds[d]! += dxhat[k]! * xmu.data[k]!;
    }
  }
  const dx = new Float64Array(N * D);
  if (cache.mode === 'test') {
    // μ and σ² are constants in test mode: only the direct path remains.
    for (let k = 0; k < N * D; k++) dx[k] = dxhat[k]! * invStd.data[k % D]!;
    return { dx: { shape: [N, D], data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
  }
  const dvar = ds.map((v, d) => -0.5 * invStd.data[d]! ** 3 * v);
  const dmu = new Float64Array(D);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      dx[k] = dxhat[k]! * invStd.data[d]! + (2 / N) * xmu.data[k]! * dvar[d]!;
      dmu[d]! -= dx[k]!;
    }
  }
  for (let k = 0; k < N * D; k++) dx[k]! += dmu[k % D]! / N;
  return { dx: { shape: [N, D], data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
  // END SOLUTION
}

/**
 * Batch normalization, backward pass in a simplified closed form: the three paths of
 * `batchnormBackward`, collapsed on paper into one expression for dx in terms of dx̂ = dout ⊙ γ,
 * x̂ and 1/√(σ² + ε). It needs two sums over the batch and gives the same numbers as
 * `batchnormBackward` to rounding error; dγ and dβ are the same sums as there.
 *
 * @solution-only The closed form (train mode), with s = 1/√(σ² + ε):
 *   dx = (s / N) · (N · dx̂ − Σ_i dx̂ − x̂ ⊙ Σ_i (dx̂ ⊙ x̂))
 * and Σ_i dx̂ = γ · dβ, Σ_i dx̂ ⊙ x̂ = γ · dγ, so both sums come for free.
 *
 * NOTE: after a test-mode forward only the direct path remains, as in `batchnormBackward`.
 *
 * @param dout `[N, D]` upstream gradient.
 * @param cache what `batchnormForward` returned.
 * @returns `{ dx [N, D], dgamma [D], dbeta [D] }`.
 * @throws RangeError when `dout` does not have the shape of the forward pass's `x`.
 */
export function batchnormBackwardAlt(dout: Tensor, cache: BatchnormCache): BatchnormGradients {
  // BEGIN SOLUTION
  // TODO: derive dx on paper from your graph version first; then compute the two sums over the batch once per feature.
  const { xhat, invStd, gamma } = cache;
  const [N, D] = xhat.shape as [number, number];
  assertShape('batchnormBackwardAlt', 'dout', dout, [N, D]);
  if (cache.mode === 'test') return batchnormBackward(dout, cache);
  const dbeta = new Float64Array(D);
  const dgamma = new Float64Array(D);
  for (let k = 0; k < N * D; k++) {
    dbeta[k % D]! += dout.data[k]!;
    dgamma[k % D]! += dout.data[k]! * xhat.data[k]!;
  }
  // Σ_i dx̂ = γ · dβ and Σ_i dx̂ ⊙ x̂ = γ · dγ, so both sums come for free.
  const dx = new Float64Array(N * D);
  for (let k = 0; k < N * D; k++) {
    const d = k % D;
    const g = gamma.data[d]!;
    dx[k] = (invStd.data[d]! / N) * (N * dout.data[k]! * g - g * dbeta[d]! - xhat.data[k]! * g * dgamma[d]!);
  }
  return { dx: { shape: [N, D], data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
  // END SOLUTION
}
