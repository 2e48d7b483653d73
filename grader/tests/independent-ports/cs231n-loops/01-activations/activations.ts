/**
 * Exercise 01, ported from a loop-style solution that writes each activation another correct way:
 * σ(x) = ½(1 + tanh(x/2)), tanh from expm1 on |x|, ELU as α(eˣ − 1) (np.exp(x) - 1), gradients
 * from the input where the brief allows it.
 */
import { assertShape, assertTensor, type Tensor } from '../../lib/index.ts';

function each(x: Tensor, f: (v: number, k: number) => number): Tensor {
  const out = new Float64Array(x.data.length);
  for (let k = 0; k < out.length; k++) out[k] = f(x.data[k]!, k);
  return { shape: [...x.shape], data: out };
}

export function sigmoidForward(x: Tensor): { out: Tensor; cache: { s: Tensor } } {
  assertTensor('sigmoidForward', 'x', x);
  const s = each(x, (v) => 0.5 * (1 + Math.tanh(0.5 * v)));
  return { out: s, cache: { s } };
}

export function sigmoidBackward(dout: Tensor, cache: { s: Tensor }): Tensor {
  assertShape('sigmoidBackward', 'dout', dout, cache.s.shape);
  return each(cache.s, (s, k) => s * (1 - s) * dout.data[k]!);
}

/** tanh(x) = sign(x) · (1 − e^(−2|x|)) / (1 + e^(−2|x|)), with expm1 for small |x|. */
export function tanhForward(x: Tensor): { out: Tensor; cache: { t: Tensor } } {
  assertTensor('tanhForward', 'x', x);
  const t = each(x, (v) => {
    const e = Math.expm1(-2 * Math.abs(v));
    return (Math.sign(v) * -e) / (2 + e);
  });
  return { out: t, cache: { t } };
}

export function tanhBackward(dout: Tensor, cache: { t: Tensor }): Tensor {
  assertShape('tanhBackward', 'dout', dout, cache.t.shape);
  return each(cache.t, (t, k) => dout.data[k]! * (1 - t) * (1 + t));
}

export function reluForward(x: Tensor): { out: Tensor; cache: { x: Tensor } } {
  assertTensor('reluForward', 'x', x);
  return { out: each(x, (v) => (v <= 0 ? 0 : v)), cache: { x: each(x, (v) => v) } };
}

export function reluBackward(dout: Tensor, cache: { x: Tensor }): Tensor {
  assertShape('reluBackward', 'dout', dout, cache.x.shape);
  return each(cache.x, (v, k) => (v <= 0 ? 0 : dout.data[k]!));
}

export function leakyReluForward(x: Tensor, alpha = 0.01): { out: Tensor; cache: { x: Tensor; alpha: number } } {
  assertTensor('leakyReluForward', 'x', x);
  return { out: each(x, (v) => (v <= 0 ? v * alpha : v)), cache: { x: each(x, (v) => v), alpha } };
}

export function leakyReluBackward(dout: Tensor, cache: { x: Tensor; alpha: number }): Tensor {
  assertShape('leakyReluBackward', 'dout', dout, cache.x.shape);
  return each(cache.x, (v, k) => (v <= 0 ? cache.alpha : 1) * dout.data[k]!);
}

export function eluForward(x: Tensor, alpha = 1): { out: Tensor; cache: { x: Tensor; alpha: number } } {
  assertTensor('eluForward', 'x', x);
  return { out: each(x, (v) => (v <= 0 ? alpha * (Math.exp(v) - 1) : v)), cache: { x: each(x, (v) => v), alpha } };
}

export function eluBackward(dout: Tensor, cache: { x: Tensor; alpha: number }): Tensor {
  assertShape('eluBackward', 'dout', dout, cache.x.shape);
  return each(cache.x, (v, k) => (v <= 0 ? cache.alpha * Math.exp(v) * dout.data[k]! : dout.data[k]!));
}
