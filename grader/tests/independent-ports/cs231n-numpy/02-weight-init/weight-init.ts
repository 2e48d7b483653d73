/**
 * Exercise 02, ported from a numpy solution: np.random.randn(fan_in, fan_out) / np.sqrt(fan_in)
 * and friends, and the lecture's activation-statistics loop with h.mean() and h.std().
 */
import { assertShape, describe, map, mean, randn, type Rng, type Tensor } from '../../lib/index.ts';

export type Activation = 'tanh' | 'relu';
export interface LayerStatistics {
  mean: number;
  std: number;
}

function check(fn: string, fanIn: number, fanOut: number, rng: Rng): void {
  for (const [arg, v] of [['fanIn', fanIn], ['fanOut', fanOut]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${fn}: '${arg}' must be a positive integer, got ${describe(v)}`);
  }
  if (typeof rng?.randn !== 'function') throw new TypeError(`${fn}: 'rng' must be a generator, got ${describe(rng)}`);
}

// W = np.random.randn(fan_in, fan_out) / np.sqrt(fan_in)
export function xavierInit(fanIn: number, fanOut: number, rng: Rng): Tensor {
  check('xavierInit', fanIn, fanOut, rng);
  const s = Math.sqrt(fanIn);
  return map(randn([fanIn, fanOut], rng), (v) => v / s);
}

// W = np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / fan_in)
export function heInit(fanIn: number, fanOut: number, rng: Rng): Tensor {
  check('heInit', fanIn, fanOut, rng);
  const s = Math.sqrt(2.0 / fanIn);
  return map(randn([fanIn, fanOut], rng), (v) => v * s);
}

// W = scale * np.random.randn(fan_in, fan_out)
export function smallRandomInit(fanIn: number, fanOut: number, rng: Rng, scale = 0.01): Tensor {
  check('smallRandomInit', fanIn, fanOut, rng);
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) throw new RangeError(`smallRandomInit: 'scale' must be a finite number ≥ 0, got ${describe(scale)}`);
  return map(randn([fanIn, fanOut], rng), (v) => scale * v);
}

/** h = f(h @ W) layer by layer; stats (h.mean(), h.std()) per layer. The matrix product is written as numpy's einsum 'nd,dk->nk' loops in k-major order. */
export function activationStatistics(x: Tensor, weights: readonly Tensor[], activation: Activation): LayerStatistics[] {
  const fn = 'activationStatistics';
  assertShape(fn, 'x', x, [null, null], '[N, D0]');
  if (x.shape[0] === 0) throw new RangeError(`${fn}: 'x' must have at least one row, got [0, ${x.shape[1]}]`);
  if (activation !== 'tanh' && activation !== 'relu') throw new RangeError(`${fn}: 'activation' must be 'tanh' or 'relu', got ${describe(activation)}`);
  let width = x.shape[1]!;
  weights.forEach((w, l) => {
    assertShape(fn, `weights[${l}]`, w, [width, null], '[D_in, D_out]');
    width = w.shape[1]!;
  });
  const f = activation === 'tanh' ? Math.tanh : (v: number) => Math.max(0, v);
  const stats: LayerStatistics[] = [];
  let h = x;
  for (const W of weights) {
    const [N, D] = h.shape as [number, number];
    const K = W.shape[1]!;
    const z = new Float64Array(N * K);
    for (let k = 0; k < K; k++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let d = D - 1; d >= 0; d--) s += h.data[n * D + d]! * W.data[d * K + k]!;
        z[n * K + k] = s;
      }
    }
    h = map({ shape: [N, K], data: z }, f);
    const m = mean(h).data[0]!;
    // h.std(): np.sqrt(np.mean(np.abs(h - h.mean()) ** 2))
    const std = Math.sqrt(mean(map(h, (v) => Math.abs(v - m) ** 2)).data[0]!);
    stats.push({ mean: m, std });
  }
  return stats;
}
