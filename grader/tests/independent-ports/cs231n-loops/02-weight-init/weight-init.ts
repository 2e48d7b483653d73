/**
 * Exercise 02, ported from a loop-style solution: draws into a row-major buffer and multiplies by
 * √(1/fanIn); activation statistics with pairwise-summed dot products and Welford's running mean
 * and variance.
 */
import { assertShape, describe, type Rng, type Tensor } from '../../lib/index.ts';

export type Activation = 'tanh' | 'relu';
export interface LayerStatistics {
  mean: number;
  std: number;
}

function draw(fn: string, fanIn: number, fanOut: number, rng: Rng, scale: number): Tensor {
  if (!Number.isInteger(fanIn) || fanIn < 1) throw new RangeError(`${fn}: 'fanIn' must be a positive integer, got ${describe(fanIn)}`);
  if (!Number.isInteger(fanOut) || fanOut < 1) throw new RangeError(`${fn}: 'fanOut' must be a positive integer, got ${describe(fanOut)}`);
  const data = new Float64Array(fanIn * fanOut);
  for (let i = 0; i < fanIn; i++) for (let j = 0; j < fanOut; j++) data[i * fanOut + j] = scale * rng.randn();
  return { shape: [fanIn, fanOut], data };
}

export function xavierInit(fanIn: number, fanOut: number, rng: Rng): Tensor {
  return draw('xavierInit', fanIn, fanOut, rng, Math.sqrt(1 / fanIn));
}

export function heInit(fanIn: number, fanOut: number, rng: Rng): Tensor {
  return draw('heInit', fanIn, fanOut, rng, Math.sqrt(2) / Math.sqrt(fanIn));
}

export function smallRandomInit(fanIn: number, fanOut: number, rng: Rng, scale = 0.01): Tensor {
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new RangeError(`smallRandomInit: 'scale' must be a finite number ≥ 0, got ${describe(scale)}`);
  return draw('smallRandomInit', fanIn, fanOut, rng, scale);
}

/** Σ v[i] for i in [lo, hi) as numpy sums: blocks of 8 summed in place, halves above 128 (pairwise). */
function pairwise(v: Float64Array, lo: number, hi: number): number {
  if (hi - lo > 128) {
    const mid = lo + (((hi - lo) >> 4) << 3);
    return pairwise(v, lo, mid) + pairwise(v, mid, hi);
  }
  const acc = new Float64Array(8);
  let i = lo;
  for (; i + 8 <= hi; i += 8) for (let j = 0; j < 8; j++) acc[j]! += v[i + j]!;
  let s = ((acc[0]! + acc[1]!) + (acc[2]! + acc[3]!)) + ((acc[4]! + acc[5]!) + (acc[6]! + acc[7]!));
  for (; i < hi; i++) s += v[i]!;
  return s;
}

export function activationStatistics(x: Tensor, weights: readonly Tensor[], activation: Activation): LayerStatistics[] {
  const fn = 'activationStatistics';
  assertShape(fn, 'x', x, [null, null], '[N, D0]');
  if (x.shape[0] === 0) throw new RangeError(`${fn}: 'x' must have at least one row, got [0, ${x.shape[1]}]`);
  if (activation !== 'tanh' && activation !== 'relu') throw new RangeError(`${fn}: 'activation' must be 'tanh' or 'relu', got ${describe(activation)}`);
  for (let l = 0, width = x.shape[1]!; l < weights.length; width = weights[l]!.shape[1]!, l++) {
    assertShape(fn, `weights[${l}]`, weights[l]!, [width, null], '[D_in, D_out]');
  }
  const N = x.shape[0]!;
  let h = x.data;
  let D = x.shape[1]!;
  const stats: LayerStatistics[] = [];
  for (const W of weights) {
    const K = W.shape[1]!;
    const next = new Float64Array(N * K);
    const products = new Float64Array(D);
    let count = 0;
    let m = 0;
    let m2 = 0;
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        for (let d = 0; d < D; d++) products[d] = h[n * D + d]! * W.data[d * K + k]!;
        const z = pairwise(products, 0, D);
        const a = activation === 'tanh' ? Math.tanh(z) : z > 0 ? z : 0;
        next[n * K + k] = a;
        // Welford's update of the running mean and sum of squared deviations.
        count++;
        const delta = a - m;
        m += delta / count;
        m2 += delta * (a - m);
      }
    }
    stats.push({ mean: m, std: Math.sqrt(m2 / count) });
    h = next;
    D = K;
  }
  return stats;
}
