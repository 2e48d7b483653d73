/**
 * Exercise 04 — layer normalization and group normalization (independent solution).
 */
import { assertShape, formatShape, type Tensor } from '../../lib/index.ts';
import { normalizeRows, normalizeRowsBackward, type RowStats } from './rows.ts';

export interface LayernormCache {
  N: number;
  D: number;
  gamma: Float64Array;
  stats: RowStats;
}

export interface GroupnormCache {
  shape: [number, number, number, number];
  G: number;
  gamma: Float64Array;
  stats: RowStats;
}

export interface LayernormResult {
  out: Tensor;
  cache: LayernormCache;
}

export interface LayernormGradients {
  dx: Tensor;
  dgamma: Tensor;
  dbeta: Tensor;
}

export interface GroupnormResult {
  out: Tensor;
  cache: GroupnormCache;
}

export interface GroupnormGradients {
  dx: Tensor;
  dgamma: Tensor;
  dbeta: Tensor;
}

function checkEps(fn: string, eps: unknown): number {
  if (typeof eps !== 'number') throw new TypeError(`${fn}: 'eps' must be a number, got ${typeof eps}`);
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`${fn}: 'eps' must be a finite number ≥ 0, got ${eps}`);
  return eps;
}

export function layernormForward(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): LayernormResult {
  const fn = 'layernormForward';
  assertShape(fn, 'x', x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  assertShape(fn, 'gamma', gamma, [D]);
  assertShape(fn, 'beta', beta, [D]);
  checkEps(fn, eps);
  const stats = normalizeRows(x.data, N, D, eps);
  const out = new Float64Array(N * D);
  for (let k = 0; k < N * D; k++) {
    const d = k % D;
    out[k] = gamma.data[d]! * stats.xhat[k]! + beta.data[d]!;
  }
  return { out: { shape: [N, D], data: out }, cache: { N, D, gamma: gamma.data.slice(), stats } };
}

export function layernormBackward(dout: Tensor, cache: LayernormCache): LayernormGradients {
  const { N, D, gamma, stats } = cache;
  assertShape('layernormBackward', 'dout', dout, [N, D]);
  const dgamma = new Float64Array(D);
  const dbeta = new Float64Array(D);
  const dxhat = new Float64Array(N * D);
  for (let k = 0; k < N * D; k++) {
    const d = k % D;
    const g = dout.data[k]!;
    dbeta[d]! += g;
    dgamma[d]! += g * stats.xhat[k]!;
    dxhat[k] = g * gamma[d]!;
  }
  const dx = normalizeRowsBackward(dxhat, stats, N, D);
  return { dx: { shape: [N, D], data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
}

export function groupnormForward(x: Tensor, gamma: Tensor, beta: Tensor, G: number, eps = 1e-5): GroupnormResult {
  const fn = 'groupnormForward';
  assertShape(fn, 'x', x, [null, null, null, null], '[N, C, H, W]');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  assertShape(fn, 'gamma', gamma, [C]);
  assertShape(fn, 'beta', beta, [C]);
  if (typeof G !== 'number') throw new TypeError(`${fn}: 'G' must be a positive integer, got ${typeof G}`);
  if (!Number.isInteger(G) || G < 1) {
    throw new RangeError(`${fn}: 'G' must be a positive integer dividing the number of channels C = ${C} of x ${formatShape(x.shape)}, got G = ${G}`);
  }
  if (C % G !== 0) {
    throw new RangeError(`${fn}: 'G' must divide the number of channels C = ${C} of x ${formatShape(x.shape)}, got G = ${G}`);
  }
  checkEps(fn, eps);
  const HW = H * W;
  const rows = N * G;
  const M = (C / G) * HW;
  const stats = normalizeRows(x.data, rows, M, eps);
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * HW;
      const gc = gamma.data[c]!;
      const bc = beta.data[c]!;
      for (let p = 0; p < HW; p++) out[base + p] = gc * stats.xhat[base + p]! + bc;
    }
  }
  return {
    out: { shape: [N, C, H, W], data: out },
    cache: { shape: [N, C, H, W], G, gamma: gamma.data.slice(), stats },
  };
}

export function groupnormBackward(dout: Tensor, cache: GroupnormCache): GroupnormGradients {
  const { shape, G, gamma, stats } = cache;
  const [N, C, H, W] = shape;
  assertShape('groupnormBackward', 'dout', dout, shape);
  const HW = H * W;
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  const dxhat = new Float64Array(dout.data.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * HW;
      let sb = 0;
      let sg = 0;
      for (let p = 0; p < HW; p++) {
        const g = dout.data[base + p]!;
        sb += g;
        sg += g * stats.xhat[base + p]!;
        dxhat[base + p] = g * gamma[c]!;
      }
      dbeta[c]! += sb;
      dgamma[c]! += sg;
    }
  }
  const dx = normalizeRowsBackward(dxhat, stats, N * G, (C / G) * HW);
  return {
    dx: { shape: [N, C, H, W], data: dx },
    dgamma: { shape: [C], data: dgamma },
    dbeta: { shape: [C], data: dbeta },
  };
}
