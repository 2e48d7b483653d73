/**
 * Exercise 04, ported from a loop-style solution: each normalized unit (a row of layer norm, a
 * (sample, group) block of group norm) gathered into its own buffer with pairwise sums, the
 * variance as the mean of squared deviations, and the backward pass through dvar and dmean.
 */
import { assertShape, formatShape, type Tensor } from '../../lib/index.ts';

interface Block {
  /** Flat offsets of the block's elements in x. */
  at: number[];
  xhat: Float64Array;
  xmu: Float64Array;
  variance: number;
  istd: number;
}

function pairwise(v: ArrayLike<number>, lo = 0, hi = v.length): number {
  if (hi - lo <= 4) {
    let s = 0;
    for (let i = lo; i < hi; i++) s += v[i]!;
    return s;
  }
  const mid = (lo + hi) >> 1;
  return pairwise(v, lo, mid) + pairwise(v, mid, hi);
}

function normalizeBlock(x: Float64Array, at: number[], eps: number): Block {
  const vals = Float64Array.from(at, (k) => x[k]!);
  const M = vals.length;
  const mu = pairwise(vals) / M;
  const xmu = vals.map((v) => v - mu);
  const variance = pairwise(xmu.map((v) => v * v)) / M;
  const istd = 1 / Math.sqrt(variance + eps);
  return { at, xhat: xmu.map((v) => v * istd), xmu, variance, istd };
}

/** dx of one block, node by node: dvar, dmean, then dx, from dxhat = dout ⊙ γ of its elements. */
function blockBackward(b: Block, dxhat: Float64Array, eps: number): Float64Array {
  const M = b.at.length;
  const dvar = pairwise(dxhat.map((g, j) => g * b.xmu[j]! * -0.5 * (b.variance + eps) ** -1.5));
  const dmean = pairwise(dxhat.map((g) => -g * b.istd)) + (dvar * pairwise(b.xmu.map((v) => -2 * v))) / M;
  return dxhat.map((g, j) => g * b.istd + (dvar * 2 * b.xmu[j]!) / M + dmean / M);
}

export interface LayernormCache {
  blocks: Block[];
  gamma: Float64Array;
  N: number;
  D: number;
  eps: number;
}

export function layernormForward(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): { out: Tensor; cache: LayernormCache } {
  const fn = 'layernormForward';
  assertShape(fn, 'x', x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  assertShape(fn, 'gamma', gamma, [D]);
  assertShape(fn, 'beta', beta, [D]);
  const out = new Float64Array(N * D);
  const blocks: Block[] = [];
  for (let n = 0; n < N; n++) {
    const b = normalizeBlock(x.data, Array.from({ length: D }, (_, d) => n * D + d), eps);
    b.at.forEach((k, j) => (out[k] = gamma.data[j]! * b.xhat[j]! + beta.data[j]!));
    blocks.push(b);
  }
  return { out: { shape: [N, D], data: out }, cache: { blocks, gamma: gamma.data.slice(), N, D, eps } };
}

export function layernormBackward(dout: Tensor, cache: LayernormCache): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
  const { blocks, gamma, N, D, eps } = cache;
  assertShape('layernormBackward', 'dout', dout, [N, D]);
  const dx = new Float64Array(N * D);
  const dgamma = new Float64Array(D);
  const dbeta = new Float64Array(D);
  for (const b of blocks) {
    b.at.forEach((k, j) => {
      dbeta[j]! += dout.data[k]!;
      dgamma[j]! += dout.data[k]! * b.xhat[j]!;
    });
    const g = Float64Array.from(b.at, (k, j) => dout.data[k]! * gamma[j]!);
    blockBackward(b, g, eps).forEach((v, j) => (dx[b.at[j]!] = v));
  }
  return { dx: { shape: [N, D], data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
}

export interface GroupnormCache {
  blocks: Block[];
  gamma: Float64Array;
  shape: [number, number, number, number];
  eps: number;
}

export function groupnormForward(x: Tensor, gamma: Tensor, beta: Tensor, G: number, eps = 1e-5): { out: Tensor; cache: GroupnormCache } {
  const fn = 'groupnormForward';
  assertShape(fn, 'x', x, [null, null, null, null], '[N, C, H, W]');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  assertShape(fn, 'gamma', gamma, [C]);
  assertShape(fn, 'beta', beta, [C]);
  if (typeof G !== 'number') throw new TypeError(`${fn}: 'G' must be a number, got ${typeof G}`);
  if (!(G >= 1) || !Number.isInteger(G)) throw new RangeError(`${fn}: 'G' must be a positive integer, got ${G}`);
  if (C % G !== 0) throw new RangeError(`${fn}: 'G' must divide C = ${C} (x is ${formatShape(x.shape)}), got G = ${G}`);
  const HW = H * W;
  const per = C / G;
  const out = new Float64Array(N * C * HW);
  const blocks: Block[] = [];
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      // The block's elements, pixel by pixel across its channels (not channel by channel).
      const at: number[] = [];
      for (let p = 0; p < HW; p++) for (let c = g * per; c < (g + 1) * per; c++) at.push((n * C + c) * HW + p);
      const b = normalizeBlock(x.data, at, eps);
      b.at.forEach((k, j) => {
        const c = Math.floor(k / HW) % C;
        out[k] = gamma.data[c]! * b.xhat[j]! + beta.data[c]!;
      });
      blocks.push(b);
    }
  }
  return { out: { shape: [N, C, H, W], data: out }, cache: { blocks, gamma: gamma.data.slice(), shape: [N, C, H, W], eps } };
}

export function groupnormBackward(dout: Tensor, cache: GroupnormCache): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
  const { blocks, gamma, shape, eps } = cache;
  assertShape('groupnormBackward', 'dout', dout, shape);
  const [, C, H, W] = shape;
  const HW = H * W;
  const dx = new Float64Array(dout.data.length);
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (const b of blocks) {
    const g = Float64Array.from(b.at, (k, j) => {
      const c = Math.floor(k / HW) % C;
      dbeta[c]! += dout.data[k]!;
      dgamma[c]! += dout.data[k]! * b.xhat[j]!;
      return dout.data[k]! * gamma[c]!;
    });
    blockBackward(b, g, eps).forEach((v, j) => (dx[b.at[j]!] = v));
  }
  return { dx: { shape: [...shape], data: dx }, dgamma: { shape: [C], data: dgamma }, dbeta: { shape: [C], data: dbeta } };
}
