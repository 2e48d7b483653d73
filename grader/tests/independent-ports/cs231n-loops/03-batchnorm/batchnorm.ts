/**
 * Exercise 03, ported from a loop-style solution: per-feature statistics by Welford's online
 * update, the backward pass as the staged computational graph of the well-known CS231n blog
 * walkthrough (step 9 back to step 0: xmu, sq, var, sqrtvar, ivar, xhat), sums taken from the
 * last row to the first, and the compact closed form for the alternative.
 */
import { assertShape, type Tensor } from '../../lib/index.ts';

export interface BatchnormParams {
  mode: 'train' | 'test';
  eps?: number;
  momentum?: number;
  runningMean?: Tensor;
  runningVar?: Tensor;
}

interface Cache {
  mode: 'train' | 'test';
  N: number;
  D: number;
  xhat: Float64Array;
  xmu: Float64Array;
  ivar: Float64Array;
  sqrtvar: Float64Array;
  variance: Float64Array;
  eps: number;
  gamma: Float64Array;
}

export function batchnormForward(x: Tensor, gamma: Tensor, beta: Tensor, params: BatchnormParams): { out: Tensor; cache: Cache; runningMean: Tensor; runningVar: Tensor } {
  const fn = 'batchnormForward';
  assertShape(fn, 'x', x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  assertShape(fn, 'gamma', gamma, [D]);
  assertShape(fn, 'beta', beta, [D]);
  if (params.mode !== 'train' && params.mode !== 'test') throw new RangeError(`${fn}: 'mode' must be 'train' or 'test', got ${String(params.mode)}`);
  if (params.runningMean) assertShape(fn, 'runningMean', params.runningMean, [D]);
  if (params.runningVar) assertShape(fn, 'runningVar', params.runningVar, [D]);
  const eps = params.eps ?? 1e-5;
  const momentum = params.momentum ?? 0.9;
  const rm = Float64Array.from({ length: D }, (_, d) => params.runningMean?.data[d] ?? 0);
  const rv = Float64Array.from({ length: D }, (_, d) => params.runningVar?.data[d] ?? 0);
  const mu = new Float64Array(D);
  const variance = new Float64Array(D);
  if (params.mode === 'train') {
    if (N === 0) throw new RangeError(`${fn}: 'x' must have at least one row in train mode, got [0, ${D}]`);
    for (let d = 0; d < D; d++) {
      let m = 0;
      let m2 = 0;
      for (let i = 0; i < N; i++) {
        const v = x.data[i * D + d]!;
        const delta = v - m;
        m += delta / (i + 1);
        m2 += delta * (v - m);
      }
      mu[d] = m;
      variance[d] = m2 / N;
      rm[d] = momentum * rm[d]! + (1 - momentum) * m;
      rv[d] = momentum * rv[d]! + (1 - momentum) * variance[d]!;
    }
  } else {
    mu.set(rm);
    variance.set(rv);
  }
  const xmu = new Float64Array(N * D);
  const xhat = new Float64Array(N * D);
  const out = new Float64Array(N * D);
  const sqrtvar = variance.map((v) => Math.sqrt(v + eps));
  const ivar = sqrtvar.map((s) => 1 / s);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const k = i * D + d;
      xmu[k] = x.data[k]! - mu[d]!;
      xhat[k] = xmu[k]! * ivar[d]!;
      out[k] = xhat[k]! * gamma.data[d]! + beta.data[d]!;
    }
  }
  return {
    out: { shape: [N, D], data: out },
    cache: { mode: params.mode, N, D, xhat, xmu, ivar, sqrtvar, variance, eps, gamma: gamma.data.slice() },
    runningMean: { shape: [D], data: rm },
    runningVar: { shape: [D], data: rv },
  };
}

/** Σ over rows, from the last to the first. */
function columnSums(N: number, D: number, term: (k: number) => number): Float64Array {
  const s = new Float64Array(D);
  for (let i = N - 1; i >= 0; i--) for (let d = 0; d < D; d++) s[d]! += term(i * D + d);
  return s;
}

export function batchnormBackward(dout: Tensor, cache: Cache): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
  const { N, D, xhat, xmu, ivar, sqrtvar, variance, eps, gamma } = cache;
  assertShape('batchnormBackward', 'dout', dout, [N, D]);
  const g = dout.data;
  // step 9: out = gammax + beta; step 8: gammax = gamma * xhat
  const dbeta = columnSums(N, D, (k) => g[k]!);
  const dgamma = columnSums(N, D, (k) => g[k]! * xhat[k]!);
  const dxhat = g.map((v, k) => v * gamma[k % D]!);
  if (cache.mode === 'test') {
    return { dx: { shape: [N, D], data: dxhat.map((v, k) => v * ivar[k % D]!) }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
  }
  // step 7: xhat = xmu * ivar
  const divar = columnSums(N, D, (k) => dxhat[k]! * xmu[k]!);
  const dxmu1 = dxhat.map((v, k) => v * ivar[k % D]!);
  // step 6: ivar = 1 / sqrtvar; step 5: sqrtvar = sqrt(var + eps)
  const dsqrtvar = divar.map((v, d) => (-1 / sqrtvar[d]! ** 2) * v);
  const dvar = dsqrtvar.map((v, d) => (0.5 * v) / Math.sqrt(variance[d]! + eps));
  // step 4: var = 1/N Σ sq; step 3: sq = xmu²
  const dxmu2 = xmu.map((v, k) => 2 * v * (dvar[k % D]! / N));
  // step 2: xmu = x − mu; step 1: mu = 1/N Σ x
  const dx1 = dxmu1.map((v, k) => v + dxmu2[k]!);
  const dmu = columnSums(N, D, (k) => -dx1[k]!);
  const dx = dx1.map((v, k) => v + dmu[k % D]! / N);
  return { dx: { shape: [N, D], data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
}

export function batchnormBackwardAlt(dout: Tensor, cache: Cache): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
  const { N, D, xhat, ivar, gamma } = cache;
  assertShape('batchnormBackwardAlt', 'dout', dout, [N, D]);
  if (cache.mode === 'test') return batchnormBackward(dout, cache);
  const g = dout.data;
  const dbeta = columnSums(N, D, (k) => g[k]!);
  const dgamma = columnSums(N, D, (k) => g[k]! * xhat[k]!);
  // dx = (1/N) γ ivar (N dout − dβ − x̂ dγ)
  const dx = g.map((v, k) => {
    const d = k % D;
    return (1 / N) * gamma[d]! * ivar[d]! * (N * v - dbeta[d]! - xhat[k]! * dgamma[d]!);
  });
  return { dx: { shape: [N, D], data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
}
