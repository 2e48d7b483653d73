/**
 * Exercise 01, ported line by line from a numpy solution in the style of CS231n's layers.py:
 * whole-array expressions (np.where, np.exp, boolean masks as 0/1 factors), caches as tuples.
 */
import { assertShape, assertTensor, map, map2, mul, type Tensor } from '../../lib/index.ts';

// out = np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
export function sigmoidForward(x: Tensor): { out: Tensor; cache: [Tensor] } {
  assertTensor('sigmoidForward', 'x', x);
  const pos = map(x, (v) => 1 / (1 + Math.exp(-v)));
  const neg = map(x, (v) => Math.exp(v) / (1 + Math.exp(v)));
  const out = map(x, (v, k) => (v >= 0 ? pos.data[k]! : neg.data[k]!));
  return { out, cache: [out] };
}

// dx = dout * s * (1 - s)
export function sigmoidBackward(dout: Tensor, cache: [Tensor]): Tensor {
  const [s] = cache;
  assertShape('sigmoidBackward', 'dout', dout, s.shape);
  return mul(mul(dout, s), map(s, (v) => 1 - v));
}

export function tanhForward(x: Tensor): { out: Tensor; cache: [Tensor] } {
  assertTensor('tanhForward', 'x', x);
  const out = map(x, Math.tanh);
  return { out, cache: [out] };
}

// dx = dout * (1 - out ** 2)
export function tanhBackward(dout: Tensor, cache: [Tensor]): Tensor {
  const [out] = cache;
  assertShape('tanhBackward', 'dout', dout, out.shape);
  return mul(dout, map(out, (t) => 1 - t ** 2));
}

// out = np.maximum(0, x)
export function reluForward(x: Tensor): { out: Tensor; cache: [Tensor] } {
  assertTensor('reluForward', 'x', x);
  return { out: map(x, (v) => Math.max(0, v)), cache: [x] };
}

// dx = dout * (x > 0)
export function reluBackward(dout: Tensor, cache: [Tensor]): Tensor {
  const [x] = cache;
  assertShape('reluBackward', 'dout', dout, x.shape);
  return map2(dout, x, (g, v) => g * (v > 0 ? 1 : 0));
}

// out = np.where(x > 0, x, alpha * x)
export function leakyReluForward(x: Tensor, alpha = 0.01): { out: Tensor; cache: [Tensor, number] } {
  assertTensor('leakyReluForward', 'x', x);
  return { out: map(x, (v) => (v > 0 ? v : alpha * v)), cache: [x, alpha] };
}

// dx = dout * np.where(x > 0, 1, alpha)
export function leakyReluBackward(dout: Tensor, cache: [Tensor, number]): Tensor {
  const [x, alpha] = cache;
  assertShape('leakyReluBackward', 'dout', dout, x.shape);
  return mul(dout, map(x, (v) => (v > 0 ? 1 : alpha)));
}

// out = np.where(x > 0, x, alpha * np.expm1(x))
export function eluForward(x: Tensor, alpha = 1): { out: Tensor; cache: [Tensor, Tensor, number] } {
  assertTensor('eluForward', 'x', x);
  const out = map(x, (v) => (v > 0 ? v : alpha * Math.expm1(v)));
  return { out, cache: [x, out, alpha] };
}

// dx = dout * np.where(x > 0, 1, out + alpha)
export function eluBackward(dout: Tensor, cache: [Tensor, Tensor, number]): Tensor {
  const [x, out, alpha] = cache;
  assertShape('eluBackward', 'dout', dout, x.shape);
  return mul(dout, map(x, (v, k) => (v > 0 ? 1 : out.data[k]! + alpha)));
}
