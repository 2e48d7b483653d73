/**
 * Exercise 03 — batch normalization for fully connected layers (independent solution).
 */
import { assertShape, type Tensor } from '../../lib/index.ts';

export interface BatchnormParams {
  mode: 'train' | 'test';
  eps?: number;
  momentum?: number;
  runningMean?: Tensor;
  runningVar?: Tensor;
}

export interface BatchnormCache {
  mode: 'train' | 'test';
  N: number;
  D: number;
  /** x − μ, [N, D] (row-major). */
  centred: Float64Array;
  /** x̂, [N, D]. */
  xhat: Float64Array;
  /** 1/√(σ² + ε), [D]. */
  invStd: Float64Array;
  gamma: Float64Array;
}

export interface BatchnormResult {
  out: Tensor;
  cache: BatchnormCache;
  runningMean: Tensor;
  runningVar: Tensor;
}

export interface BatchnormGradients {
  dx: Tensor;
  dgamma: Tensor;
  dbeta: Tensor;
}

const FWD = 'batchnormForward';

function numberParam(name: string, value: unknown, fallback: number, ok: (v: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${FWD}: '${name}' must be a number, got ${typeof value}`);
  if (!ok(value)) throw new RangeError(`${FWD}: '${name}' must be ${rule}, got ${value}`);
  return value;
}

export function batchnormForward(x: Tensor, gamma: Tensor, beta: Tensor, params: BatchnormParams): BatchnormResult {
  assertShape(FWD, 'x', x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  assertShape(FWD, 'gamma', gamma, [D]);
  assertShape(FWD, 'beta', beta, [D]);
  if (typeof params !== 'object' || params === null) throw new TypeError(`${FWD}: 'params' must be an object`);
  const mode = params.mode;
  if (mode !== 'train' && mode !== 'test') {
    throw new RangeError(`${FWD}: 'mode' must be 'train' or 'test', got ${JSON.stringify(mode)}`);
  }
  const eps = numberParam('eps', params.eps, 1e-5, (v) => Number.isFinite(v) && v >= 0, 'a finite number ≥ 0');
  const momentum = numberParam('momentum', params.momentum, 0.9, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  if (params.runningMean !== undefined) assertShape(FWD, 'runningMean', params.runningMean, [D]);
  if (params.runningVar !== undefined) assertShape(FWD, 'runningVar', params.runningVar, [D]);
  const oldMean = params.runningMean?.data ?? new Float64Array(D);
  const oldVar = params.runningVar?.data ?? new Float64Array(D);

  let mu: Float64Array;
  let sigma2: Float64Array;
  let newMean: Float64Array;
  let newVar: Float64Array;
  if (mode === 'train') {
    if (N === 0) throw new RangeError(`${FWD}: 'x' must hold at least one row in train mode, got shape [0, ${D}]`);
    mu = new Float64Array(D);
    sigma2 = new Float64Array(D);
    for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) mu[d]! += x.data[i * D + d]!;
    for (let d = 0; d < D; d++) mu[d]! /= N;
    for (let i = 0; i < N; i++) {
      for (let d = 0; d < D; d++) {
        const c = x.data[i * D + d]! - mu[d]!;
        sigma2[d]! += c * c;
      }
    }
    for (let d = 0; d < D; d++) sigma2[d]! /= N;
    newMean = new Float64Array(D);
    newVar = new Float64Array(D);
    for (let d = 0; d < D; d++) {
      newMean[d] = momentum * oldMean[d]! + (1 - momentum) * mu[d]!;
      newVar[d] = momentum * oldVar[d]! + (1 - momentum) * sigma2[d]!;
    }
  } else {
    mu = oldMean;
    sigma2 = oldVar;
    newMean = oldMean.slice();
    newVar = oldVar.slice();
  }

  const invStd = new Float64Array(D);
  for (let d = 0; d < D; d++) invStd[d] = 1 / Math.sqrt(sigma2[d]! + eps);
  const centred = new Float64Array(N * D);
  const xhat = new Float64Array(N * D);
  const out = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      centred[k] = x.data[k]! - mu[d]!;
      xhat[k] = centred[k]! * invStd[d]!;
      out[k] = gamma.data[d]! * xhat[k]! + beta.data[d]!;
    }
  }
  return {
    out: { shape: [N, D], data: out },
    cache: { mode, N, D, centred, xhat, invStd, gamma: gamma.data.slice() },
    runningMean: { shape: [D], data: newMean },
    runningVar: { shape: [D], data: newVar },
  };
}

/** dβ = Σ_i dout, dγ = Σ_i dout ⊙ x̂, and dx̂ = dout ⊙ γ. */
function paramGrads(dout: Tensor, c: BatchnormCache): { dgamma: Float64Array; dbeta: Float64Array; dxhat: Float64Array } {
  const { N, D } = c;
  const dgamma = new Float64Array(D);
  const dbeta = new Float64Array(D);
  const dxhat = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      const g = dout.data[k]!;
      dbeta[d]! += g;
      dgamma[d]! += g * c.xhat[k]!;
      dxhat[k] = g * c.gamma[d]!;
    }
  }
  return { dgamma, dbeta, dxhat };
}

function pack(N: number, D: number, dx: Float64Array, dgamma: Float64Array, dbeta: Float64Array): BatchnormGradients {
  return { dx: { shape: [N, D], data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
}

export function batchnormBackward(dout: Tensor, cache: BatchnormCache): BatchnormGradients {
  const { N, D, centred, invStd } = cache;
  assertShape('batchnormBackward', 'dout', dout, [N, D]);
  const { dgamma, dbeta, dxhat } = paramGrads(dout, cache);
  const dx = new Float64Array(N * D);
  if (cache.mode === 'test') {
    // Test mode: μ and σ² are constants, only the direct path exists.
    for (let k = 0; k < N * D; k++) dx[k] = dxhat[k]! * invStd[k % D]!;
    return pack(N, D, dx, dgamma, dbeta);
  }
  // ds_d = Σ_i dx̂_id (x_id − μ_d)
  const ds = new Float64Array(D);
  for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) ds[d]! += dxhat[i * D + d]! * centred[i * D + d]!;
  // dσ²_d = −½ s³ ds_d
  const dvar = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    const s = invStd[d]!;
    dvar[d] = -0.5 * s * s * s * ds[d]!;
  }
  // d(x − μ) = dx̂ s + (2/N)(x − μ) dσ²
  const dcent = new Float64Array(N * D);
  const dmu = new Float64Array(D);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      dcent[k] = dxhat[k]! * invStd[d]! + (2 / N) * centred[k]! * dvar[d]!;
      dmu[d]! -= dcent[k]!;
    }
  }
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      dx[k] = dcent[k]! + dmu[d]! / N;
    }
  }
  return pack(N, D, dx, dgamma, dbeta);
}

export function batchnormBackwardAlt(dout: Tensor, cache: BatchnormCache): BatchnormGradients {
  const { N, D, xhat, invStd } = cache;
  assertShape('batchnormBackwardAlt', 'dout', dout, [N, D]);
  const { dgamma, dbeta, dxhat } = paramGrads(dout, cache);
  const dx = new Float64Array(N * D);
  if (cache.mode === 'test') {
    for (let k = 0; k < N * D; k++) dx[k] = dxhat[k]! * invStd[k % D]!;
    return pack(N, D, dx, dgamma, dbeta);
  }
  const sumDxhat = new Float64Array(D);
  const sumDxhatXhat = new Float64Array(D);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      sumDxhat[d]! += dxhat[k]!;
      sumDxhatXhat[d]! += dxhat[k]! * xhat[k]!;
    }
  }
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      dx[k] = (invStd[d]! / N) * (N * dxhat[k]! - sumDxhat[d]! - xhat[k]! * sumDxhatXhat[d]!);
    }
  }
  return pack(N, D, dx, dgamma, dbeta);
}
