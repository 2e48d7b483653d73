/**
 * Exercise 01 — activation functions and their local gradients (independent solution).
 */
import { assertShape, assertTensor, map, map2, type Tensor } from '../../lib/index.ts';

export interface ActivationResult<Cache> {
  out: Tensor;
  cache: Cache;
}

export interface SigmoidCache {
  out: Tensor;
}

export interface TanhCache {
  out: Tensor;
}

export interface ReluCache {
  x: Tensor;
}

export interface LeakyReluCache {
  x: Tensor;
  alpha: number;
}

export interface EluCache {
  x: Tensor;
  out: Tensor;
  alpha: number;
}

function checkAlpha(fn: string, alpha: unknown): number {
  if (typeof alpha !== 'number') {
    throw new TypeError(`${fn}: 'alpha' must be a number, got ${typeof alpha}`);
  }
  if (!Number.isFinite(alpha)) {
    throw new RangeError(`${fn}: 'alpha' must be a finite number, got ${alpha}`);
  }
  return alpha;
}

function checkDout(fn: string, dout: Tensor, like: Tensor): void {
  assertShape(fn, 'dout', dout, like.shape);
}

function stableSigmoid(v: number): number {
  if (v >= 0) {
    return 1 / (1 + Math.exp(-v));
  }
  const e = Math.exp(v);
  return e / (1 + e);
}

export function sigmoidForward(x: Tensor): ActivationResult<SigmoidCache> {
  assertTensor('sigmoidForward', 'x', x);
  const out = map(x, stableSigmoid);
  return { out, cache: { out } };
}

export function sigmoidBackward(dout: Tensor, cache: SigmoidCache): Tensor {
  const s = cache.out;
  checkDout('sigmoidBackward', dout, s);
  return map2(dout, s, (g, y) => g * y * (1 - y));
}

export function tanhForward(x: Tensor): ActivationResult<TanhCache> {
  assertTensor('tanhForward', 'x', x);
  const out = map(x, Math.tanh);
  return { out, cache: { out } };
}

export function tanhBackward(dout: Tensor, cache: TanhCache): Tensor {
  const t = cache.out;
  checkDout('tanhBackward', dout, t);
  return map2(dout, t, (g, y) => g * (1 - y * y));
}

export function reluForward(x: Tensor): ActivationResult<ReluCache> {
  assertTensor('reluForward', 'x', x);
  const out = map(x, (v) => (v > 0 ? v : 0));
  return { out, cache: { x } };
}

export function reluBackward(dout: Tensor, cache: ReluCache): Tensor {
  checkDout('reluBackward', dout, cache.x);
  return map2(dout, cache.x, (g, v) => (v > 0 ? g : 0));
}

export function leakyReluForward(x: Tensor, alpha = 0.01): ActivationResult<LeakyReluCache> {
  assertTensor('leakyReluForward', 'x', x);
  const a = checkAlpha('leakyReluForward', alpha);
  const out = map(x, (v) => (v > 0 ? v : a * v));
  return { out, cache: { x, alpha: a } };
}

export function leakyReluBackward(dout: Tensor, cache: LeakyReluCache): Tensor {
  checkDout('leakyReluBackward', dout, cache.x);
  const a = cache.alpha;
  return map2(dout, cache.x, (g, v) => (v > 0 ? g : a * g));
}

export function eluForward(x: Tensor, alpha = 1): ActivationResult<EluCache> {
  assertTensor('eluForward', 'x', x);
  const a = checkAlpha('eluForward', alpha);
  // expm1 keeps precision near 0 (α·(e^x − 1) for tiny |x|).
  const out = map(x, (v) => (v > 0 ? v : a * Math.expm1(v)));
  return { out, cache: { x, out, alpha: a } };
}

export function eluBackward(dout: Tensor, cache: EluCache): Tensor {
  checkDout('eluBackward', dout, cache.x);
  const a = cache.alpha;
  const x = cache.x.data;
  const g = dout.data;
  const dx = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const v = x[i]!;
    dx[i] = v > 0 ? g[i]! : g[i]! * a * Math.exp(v);
  }
  return { shape: [...dout.shape], data: dx };
}
