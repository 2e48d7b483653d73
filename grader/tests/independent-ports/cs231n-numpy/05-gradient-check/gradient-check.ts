/**
 * Exercise 05, ported line by line from CS231n's gradient_check.py (eval_numerical_gradient,
 * eval_numerical_gradient_array, grad_check_sparse, and the notebooks' rel_error): x is perturbed
 * in place, element by element in np.nditer order, and restored to its old value; f(x) is
 * evaluated once at the start as the original does. Added for the brief: a `finally` that restores
 * x when f throws, argument checks, and rel_error's 1e-8 floor in the sparse check.
 */
import { assertShape, assertTensor, createRng, describe, isTensor, shapeError, type Rng, type Tensor } from '../../lib/index.ts';

export interface SparseCheck {
  index: number[];
  numerical: number;
  analytic: number;
  relError: number;
}

function checkH(fn: string, h: number): void {
  if (typeof h !== 'number' || !(h > 0) || !Number.isFinite(h)) throw new RangeError(`${fn}: 'h' must be a positive finite number, got ${describe(h)}`);
}

export function numericalGradient(f: (x: Tensor) => number, x: Tensor, h = 0.00001): Tensor {
  assertTensor('numericalGradient', 'x', x);
  checkH('numericalGradient', h);
  f(x); // fx = f(x): evaluate function value at original point
  const grad = new Float64Array(x.data.length);
  for (let ix = 0; ix < x.data.length; ix++) {
    const oldval = x.data[ix]!;
    try {
      x.data[ix] = oldval + h;
      const fxph = f(x);
      x.data[ix] = oldval - h;
      const fxmh = f(x);
      grad[ix] = (fxph - fxmh) / (2 * h);
    } finally {
      x.data[ix] = oldval;
    }
  }
  return { shape: [...x.shape], data: grad };
}

export function numericalGradientArray(f: (x: Tensor) => Tensor, x: Tensor, df: Tensor, h = 0.00001): Tensor {
  const fn = 'numericalGradientArray';
  assertTensor(fn, 'x', x);
  assertTensor(fn, 'dout', df);
  checkH(fn, h);
  const grad = new Float64Array(x.data.length);
  const copy = (out: unknown): Float64Array => {
    if (!isTensor(out)) throw new TypeError(`${fn}: 'f' must return a tensor, got ${describe(out)}`);
    assertShape(fn, 'dout', df, out.shape);
    return out.data.slice(); // .copy()
  };
  for (let ix = 0; ix < x.data.length; ix++) {
    const oldval = x.data[ix]!;
    try {
      x.data[ix] = oldval + h;
      const pos = copy(f(x));
      x.data[ix] = oldval - h;
      const neg = copy(f(x));
      // grad[ix] = np.sum((pos - neg) * df) / (2 * h)
      let s = 0;
      for (let j = 0; j < pos.length; j++) s += (pos[j]! - neg[j]!) * df.data[j]!;
      grad[ix] = s / (2 * h);
    } finally {
      x.data[ix] = oldval;
    }
  }
  return { shape: [...x.shape], data: grad };
}

// return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))
export function relError(x: Tensor | number, y: Tensor | number): number {
  if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) / Math.max(1e-8, Math.abs(x) + Math.abs(y));
  if (typeof x === 'number' || typeof y === 'number') throw new TypeError(`relError: 'a' and 'b' must both be numbers or both tensors, got ${describe(x)} and ${describe(y)}`);
  assertTensor('relError', 'a', x);
  assertShape('relError', 'b', y, x.shape);
  let worst = 0;
  for (let i = 0; i < x.data.length; i++) {
    const r = Math.abs(x.data[i]! - y.data[i]!) / Math.max(1e-8, Math.abs(x.data[i]!) + Math.abs(y.data[i]!));
    if (Number.isNaN(r)) return NaN;
    if (r > worst) worst = r;
  }
  return worst;
}

export function gradCheckSparse(f: (x: Tensor) => number, x: Tensor, analyticGrad: Tensor, numChecks = 10, rng?: Rng, h = 1e-5): SparseCheck[] {
  const fn = 'gradCheckSparse';
  assertTensor(fn, 'x', x);
  assertShape(fn, 'analyticGrad', analyticGrad, x.shape);
  if (!Number.isInteger(numChecks) || numChecks < 0) throw new RangeError(`${fn}: 'numChecks' must be a non-negative integer, got ${describe(numChecks)}`);
  checkH(fn, h);
  if (numChecks > 0 && x.data.length === 0) throw shapeError(fn, 'x', 'at least one element', x.shape);
  const random = rng ?? createRng(231);
  const checks: SparseCheck[] = [];
  for (let i = 0; i < numChecks; i++) {
    // ix = tuple([randrange(m) for m in x.shape])
    const index = x.shape.map((m) => random.randint(0, m));
    const ix = index.reduce((o, v, k) => o * x.shape[k]! + v, 0);
    const oldval = x.data[ix]!;
    let gradNumerical: number;
    try {
      x.data[ix] = oldval + h;
      const fxph = f(x);
      x.data[ix] = oldval - h;
      const fxmh = f(x);
      gradNumerical = (fxph - fxmh) / (2 * h);
    } finally {
      x.data[ix] = oldval;
    }
    const gradAnalytic = analyticGrad.data[ix]!;
    const relErr = Math.abs(gradNumerical - gradAnalytic) / Math.max(1e-8, Math.abs(gradNumerical) + Math.abs(gradAnalytic));
    checks.push({ index, numerical: gradNumerical, analytic: gradAnalytic, relError: relErr });
  }
  return checks;
}
