/**
 * Trusted gradient-checking helpers the kit's tests use (students write their own in exercise 05;
 * the tests never rely on the student's version).
 */
import { formatShape } from './errors.ts';
import { type Tensor } from './tensor.ts';

/**
 * Relative error exactly as CS231n defines it: `max_i |a_i − b_i| / max(1e-8, |a_i| + |b_i|)`,
 * the worst elementwise ratio. Accepts two numbers or two tensors of the same shape.
 * Returns NaN when any element is NaN, so a NaN gradient can never look close.
 */
export function relError(a: Tensor | number, b: Tensor | number): number {
  const da = typeof a === 'number' ? [a] : a.data;
  const db = typeof b === 'number' ? [b] : b.data;
  if (typeof a !== typeof b || da.length !== db.length) {
    const sa = typeof a === 'number' ? 'a number' : `shape ${formatShape(a.shape)}`;
    const sb = typeof b === 'number' ? 'a number' : `shape ${formatShape(b.shape)}`;
    throw new RangeError(`relError: 'a' and 'b' must have the same shape, got ${sa} and ${sb}`);
  }
  let worst = 0;
  for (let i = 0; i < da.length; i++) {
    const x = da[i]!;
    const y = db[i]!;
    const r = Math.abs(x - y) / Math.max(1e-8, Math.abs(x) + Math.abs(y));
    if (Number.isNaN(r)) return NaN;
    if (r > worst) worst = r;
  }
  return worst;
}

/**
 * Numerical gradient of a scalar function by centred differences:
 * `df/dx_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h`, error O(h²).
 * `f` receives a perturbed copy; `x` itself is never touched.
 */
export function evalNumericalGradient(f: (x: Tensor) => number, x: Tensor, h = 1e-5): Tensor {
  const probe = { shape: [...x.shape], data: x.data.slice() };
  const grad = new Float64Array(x.data.length);
  for (let i = 0; i < grad.length; i++) {
    const old = probe.data[i]!;
    probe.data[i] = old + h;
    const fPlus = f(probe);
    probe.data[i] = old - h;
    const fMinus = f(probe);
    probe.data[i] = old;
    grad[i] = (fPlus - fMinus) / (2 * h);
  }
  return { shape: [...x.shape], data: grad };
}

/**
 * Numerical gradient of `Σ f(x) ⊙ dout` for a tensor-valued `f`, by centred differences —
 * the gradient that a backward pass receiving upstream gradient `dout` must return:
 * `dx_i ≈ Σ_j (f(x + h e_i)_j − f(x − h e_i)_j) · dout_j / 2h`.
 */
export function evalNumericalGradientArray(f: (x: Tensor) => Tensor, x: Tensor, dout: Tensor, h = 1e-5): Tensor {
  const probe = { shape: [...x.shape], data: x.data.slice() };
  const grad = new Float64Array(x.data.length);
  const evaluate = (): Float64Array => {
    const out = f(probe);
    if (out.data.length !== dout.data.length) {
      throw new RangeError(
        `evalNumericalGradientArray: f(x) has shape ${formatShape(out.shape)} but 'dout' has shape ${formatShape(dout.shape)}`,
      );
    }
    return out.data.slice();
  };
  for (let i = 0; i < grad.length; i++) {
    const old = probe.data[i]!;
    probe.data[i] = old + h;
    const pos = evaluate();
    probe.data[i] = old - h;
    const neg = evaluate();
    probe.data[i] = old;
    // NOTE: difference each output first, then weight by dout, as CS231n does: it keeps precision
    // when the outputs are large compared with their change.
    let s = 0;
    for (let j = 0; j < pos.length; j++) s += (pos[j]! - neg[j]!) * dout.data[j]!;
    grad[i] = s / (2 * h);
  }
  return { shape: [...x.shape], data: grad };
}
