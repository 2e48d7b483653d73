/**
 * Exercise 02 — weight initialization (independent solution).
 */
import { assertShape, matmul, randn, type Rng, type Tensor } from '../../lib/index.ts';

export type Activation = 'tanh' | 'relu';

export interface LayerStatistics {
  mean: number;
  std: number;
}

function requireFan(fn: string, arg: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${fn}: '${arg}' must be a positive integer, got ${typeof value}`);
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${fn}: '${arg}' must be a positive integer, got ${value}`);
  }
  return value;
}

function requireRng(fn: string, rng: unknown): Rng {
  if (typeof rng !== 'object' || rng === null || typeof (rng as Rng).randn !== 'function') {
    throw new TypeError(`${fn}: 'rng' must be a generator from createRng, got ${rng === null ? 'null' : typeof rng}`);
  }
  return rng as Rng;
}

/** Draws a row-major [fanIn, fanOut] standard normal matrix and multiplies every entry by `factor`. */
function scaledNormal(fn: string, fanIn: number, fanOut: number, rng: Rng, factor: (draw: number) => number): Tensor {
  requireFan(fn, 'fanIn', fanIn);
  requireFan(fn, 'fanOut', fanOut);
  const gen = requireRng(fn, rng);
  const W = randn([fanIn, fanOut], gen);
  for (let i = 0; i < W.data.length; i++) W.data[i] = factor(W.data[i]!);
  return W;
}

export function xavierInit(fanIn: number, fanOut: number, rng: Rng): Tensor {
  const sd = Math.sqrt(fanIn);
  return scaledNormal('xavierInit', fanIn, fanOut, rng, (z) => z / sd);
}

export function heInit(fanIn: number, fanOut: number, rng: Rng): Tensor {
  const sd = Math.sqrt(2 / fanIn);
  return scaledNormal('heInit', fanIn, fanOut, rng, (z) => z * sd);
}

export function smallRandomInit(fanIn: number, fanOut: number, rng: Rng, scale = 0.01): Tensor {
  const fn = 'smallRandomInit';
  requireFan(fn, 'fanIn', fanIn);
  requireFan(fn, 'fanOut', fanOut);
  requireRng(fn, rng);
  if (typeof scale !== 'number') throw new TypeError(`${fn}: 'scale' must be a number, got ${typeof scale}`);
  if (!Number.isFinite(scale) || scale < 0) {
    throw new RangeError(`${fn}: 'scale' must be a finite number ≥ 0, got ${scale}`);
  }
  return scaledNormal(fn, fanIn, fanOut, rng, (z) => scale * z);
}

function summarize(values: Float64Array): LayerStatistics {
  const n = values.length;
  let total = 0;
  for (const v of values) total += v;
  const m = total / n;
  let sq = 0;
  for (const v of values) {
    const d = v - m;
    sq += d * d;
  }
  return { mean: m, std: Math.sqrt(sq / n) };
}

export function activationStatistics(x: Tensor, weights: readonly Tensor[], activation: Activation): LayerStatistics[] {
  const fn = 'activationStatistics';
  assertShape(fn, 'x', x, [null, null], '[N, D_0]');
  if (x.shape[0]! < 1) throw new RangeError(`${fn}: 'x' must have at least one row, got shape [${x.shape.join(', ')}]`);
  if (!Array.isArray(weights)) throw new TypeError(`${fn}: 'weights' must be an array of tensors`);
  let width = x.shape[1]!;
  weights.forEach((W, l) => {
    assertShape(fn, `weights[${l}]`, W, [width, null], '[D_{l-1}, D_l]');
    if (W.shape[1]! < 1) {
      throw new RangeError(`${fn}: 'weights[${l}]' must have at least one column, got shape [${W.shape.join(', ')}]`);
    }
    width = W.shape[1]!;
  });
  let act: (v: number) => number;
  if (activation === 'tanh') act = Math.tanh;
  else if (activation === 'relu') act = (v) => (v > 0 ? v : 0);
  else throw new RangeError(`${fn}: 'activation' must be 'tanh' or 'relu', got ${String(activation)}`);

  const stats: LayerStatistics[] = [];
  let h = x;
  for (const W of weights) {
    const z = matmul(h, W);
    const a = new Float64Array(z.data.length);
    for (let i = 0; i < a.length; i++) a[i] = act(z.data[i]!);
    h = { shape: z.shape, data: a };
    stats.push(summarize(a));
  }
  return stats;
}
