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

/** Σ of `terms(i)` for i in [lo, hi), by halves (pairwise summation). */
function pairwise(lo: number, hi: number, terms: (i: number) => number): number {
  if (hi - lo <= 2) {
    let s = 0;
    for (let i = lo; i < hi; i++) s += terms(i);
    return s;
  }
  const mid = (lo + hi) >> 1;
  return pairwise(lo, mid, terms) + pairwise(mid, hi, terms);
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
    let count = 0;
    let m = 0;
    let m2 = 0;
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const z = pairwise(0, D, (d) => h[n * D + d]! * W.data[d * K + k]!);
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
