/**
 * Exercise 05 — gradient checking: numerical gradients by centred differences, and the CS231n
 * relative error that says whether an analytic gradient (a backward pass) agrees with them.
 *
 * Shapes: `x` may have any shape; every gradient has the shape of `x`. `f` depends only on its
 * argument, and `x` is unchanged when a function here returns (or throws).
 */
import { assertShape, assertTensor, createRng, describe, isTensor, shapeError, type Rng, type Tensor } from '../../lib/index.ts';

/** One entry of `gradCheckSparse`'s report. */
export interface SparseCheck {
  /** The multi-index checked, one coordinate per axis of `x`. */
  index: number[];
  /** The centred difference `(f(x + h·e_i) − f(x − h·e_i)) / 2h` at that index. */
  numerical: number;
  /** `analyticGrad` at that index. */
  analytic: number;
  /** `|numerical − analytic| / max(1e-8, |numerical| + |analytic|)`. */
  relError: number;
}

// BEGIN SOLUTION
/** `h` must be a positive, finite step. */
function checkStep(fn: string, h: number): void {
  if (typeof h !== 'number' || !Number.isFinite(h) || h <= 0) {
    throw new RangeError(`${fn}: 'h' must be a positive finite number, got ${describe(h)}`);
  }
}

/** Calls the scalar function `f`, insisting on a number back. */
function evaluateScalar(fn: string, f: (x: Tensor) => number, x: Tensor): number {
  const value: unknown = f(x);
  if (typeof value !== 'number') throw new TypeError(`${fn}: 'f' must return a number, got ${describe(value)}`);
  return value;
}

/** The CS231n ratio for one pair of numbers, with the 1e-8 floor that keeps 0 / 0 away. */
function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1e-8, Math.abs(a) + Math.abs(b));
}
// END SOLUTION

/**
 * Numerical gradient of a scalar function by centred differences. For every element i of x:
 *   ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h
 * with error O(h²) (a forward difference `(f(x + h·e_i) − f(x)) / h` is only O(h)).
 *
 * NOTE: divide by 2h, the distance between the two points, not by h.
 * NOTE: x must be unchanged afterwards, even when f throws: perturb a copy, or restore x_i to its
 * old value (not to x_i + h) after each element, in a `finally` if you perturb x itself.
 *
 * @param f a scalar function of a tensor of x's shape.
 * @param x the point, any shape (never mutated).
 * @param h the step, default 1e-5.
 * @returns ∂f/∂x, same shape as x.
 * @throws TypeError when x is not a tensor; RangeError when h is not a positive finite number.
 */
export function numericalGradient(f: (x: Tensor) => number, x: Tensor, h = 1e-5): Tensor {
  // BEGIN SOLUTION
  // TODO: check x is a tensor (assertTensor from lib) and that h is a positive number.
  // TODO: for each element i: evaluate f at x + h·e_i and at x − h·e_i, restore, take the centred difference.
  const fn = 'numericalGradient';
  assertTensor(fn, 'x', x);
  checkStep(fn, h);
  const probe: Tensor = { shape: [...x.shape], data: x.data.slice() };
  const grad = new Float64Array(x.data.length);
  for (let i = 0; i < grad.length; i++) {
    const old = probe.data[i]!;
    probe.data[i] = old + h;
    const fPlus = evaluateScalar(fn, f, probe);
    probe.data[i] = old - h;
    const fMinus = evaluateScalar(fn, f, probe);
    probe.data[i] = old; // the next element must be perturbed around x, not around x − h·e_i
    grad[i] = (fPlus - fMinus) / (2 * h);
  }
  return { shape: [...x.shape], data: grad };
  // END SOLUTION
}

/**
 * Numerical gradient of `L(x) = Σ_j f(x)_j · dout_j` for a tensor-valued f: the gradient a
 * backward pass that receives the upstream gradient `dout` must return. For every element i of x:
 *   dx_i ≈ Σ_j (f(x + h·e_i)_j − f(x − h·e_i)_j) · dout_j / 2h
 * (CS231n's eval_numerical_gradient_array: difference the outputs first, then weight by dout.)
 *
 * NOTE: copy f(x + h·e_i) before evaluating f again: f may return a tensor that shares its data
 * with its argument (the identity function does), which the next perturbation overwrites.
 * NOTE: x must be unchanged afterwards, even when f throws.
 *
 * @param f a function from a tensor of x's shape to a tensor of dout's shape.
 * @param x the point, any shape (never mutated).
 * @param dout the upstream gradient, shape of f(x) (never mutated).
 * @param h the step, default 1e-5.
 * @returns dx, same shape as x.
 * @throws RangeError when f(x) and dout have different shapes, or h is not a positive finite number.
 */
export function numericalGradientArray(f: (x: Tensor) => Tensor, x: Tensor, dout: Tensor, h = 1e-5): Tensor {
  // BEGIN SOLUTION
  // TODO: check x and dout are tensors and h is positive; f(x) must have dout's shape (a RangeError naming 'dout' otherwise).
  const fn = 'numericalGradientArray';
  assertTensor(fn, 'x', x);
  assertTensor(fn, 'dout', dout);
  checkStep(fn, h);
  const evaluate = (at: Tensor): Float64Array => {
    const out: unknown = f(at);
    if (!isTensor(out)) throw new TypeError(`${fn}: 'f' must return a tensor, got ${describe(out)}`);
    assertShape(fn, 'dout', dout, out.shape);
    return out.data.slice();
  };
  const probe: Tensor = { shape: [...x.shape], data: x.data.slice() };
  const grad = new Float64Array(x.data.length);
  for (let i = 0; i < grad.length; i++) {
    const old = probe.data[i]!;
    probe.data[i] = old + h;
    const pos = evaluate(probe);
    probe.data[i] = old - h;
    const neg = evaluate(probe);
    probe.data[i] = old;
    let s = 0;
    for (let j = 0; j < pos.length; j++) s += (pos[j]! - neg[j]!) * dout.data[j]!;
    grad[i] = s / (2 * h);
  }
  return { shape: [...x.shape], data: grad };
  // END SOLUTION
}

/**
 * Relative error exactly as CS231n defines it, the worst elementwise ratio:
 *   relError(a, b) = max_i |a_i − b_i| / max(1e-8, |a_i| + |b_i|)
 * For two numbers, the same ratio. Around 1e-7 or less means a gradient is right; 1e-2 or more
 * means it is wrong.
 *
 * NOTE: the floor 1e-8 keeps relError(0, 0) = 0 (not 0 / 0 = NaN) and stops two tiny numbers from
 * looking far apart: relError(1e-12, 3e-12) = 2e-4, not 0.5.
 * NOTE: the worst element counts (max), not the average; NaN anywhere gives NaN.
 *
 * @param a a number, or a tensor of any shape.
 * @param b a number, or a tensor of a's shape.
 * @returns the relative error, in [0, 1] (0 for two empty tensors), or NaN.
 * @throws TypeError when one is a number and the other a tensor; RangeError when the shapes differ.
 */
export function relError(a: Tensor | number, b: Tensor | number): number {
  // BEGIN SOLUTION
  // TODO: two numbers, or two tensors of the same shape (a RangeError naming 'b' and both shapes otherwise).
  const fn = 'relError';
  if (typeof a === 'number' || typeof b === 'number') {
    if (typeof a !== 'number' || typeof b !== 'number') {
      throw new TypeError(`${fn}: 'a' and 'b' must both be numbers or both be tensors, got ${describe(a)} and ${describe(b)}`);
    }
    return relativeError(a, b);
  }
  assertTensor(fn, 'a', a);
  assertShape(fn, 'b', b, a.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    const r = relativeError(a.data[i]!, b.data[i]!);
    if (Number.isNaN(r)) return NaN;
    worst = Math.max(worst, r);
  }
  return worst;
  // END SOLUTION
}

/**
 * Sparse gradient check, as CS231n's grad_check_sparse: instead of every element, check
 * `numChecks` random ones. For each check:
 *   1. pick a random multi-index: one `rng.randint(0, x.shape[k])` per axis k, in axis order;
 *   2. numerical = (f(x + h·e_i) − f(x − h·e_i)) / 2h at that index;
 *   3. analytic = analyticGrad at that index;
 *   4. relError = |numerical − analytic| / max(1e-8, |numerical| + |analytic|).
 * Indices may repeat. Without `rng`, the generator is `createRng(231)`, so the same indices come
 * back on every run.
 *
 * NOTE: unlike CS231n (which divides by |numerical| + |analytic| alone), the per-check error has
 * the same 1e-8 floor as `relError`, so a zero gradient checked against zero gives 0, not NaN.
 * NOTE: x must be unchanged afterwards, even when f throws.
 *
 * @param f a scalar function of a tensor of x's shape.
 * @param x the point, any shape with at least one element (never mutated).
 * @param analyticGrad the gradient to check, shape of x.
 * @param numChecks how many elements to check, default 10.
 * @param rng where the indices come from; default `createRng(231)`.
 * @param h the step, default 1e-5.
 * @returns one `{ index, numerical, analytic, relError }` per check, in the order drawn.
 * @throws RangeError when analyticGrad's shape differs from x's, x is empty, numChecks is not a
 *   non-negative integer, or h is not a positive finite number.
 */
export function gradCheckSparse(
  f: (x: Tensor) => number,
  x: Tensor,
  analyticGrad: Tensor,
  numChecks = 10,
  rng?: Rng,
  h = 1e-5,
): SparseCheck[] {
  // BEGIN SOLUTION
  // TODO: check analyticGrad has x's shape, numChecks is a non-negative integer and h is positive.
  const fn = 'gradCheckSparse';
  assertTensor(fn, 'x', x);
  assertShape(fn, 'analyticGrad', analyticGrad, x.shape);
  if (!Number.isInteger(numChecks) || numChecks < 0) {
    throw new RangeError(`${fn}: 'numChecks' must be a non-negative integer, got ${describe(numChecks)}`);
  }
  checkStep(fn, h);
  if (numChecks > 0 && x.data.length === 0) throw shapeError(fn, 'x', 'at least one element', x.shape);
  const random = rng ?? createRng(231);
  const probe: Tensor = { shape: [...x.shape], data: x.data.slice() };
  const checks: SparseCheck[] = [];
  for (let c = 0; c < numChecks; c++) {
    const index = x.shape.map((d) => random.randint(0, d));
    const offset = index.reduce((o, i, k) => o * x.shape[k]! + i, 0);
    const old = probe.data[offset]!;
    probe.data[offset] = old + h;
    const fPlus = evaluateScalar(fn, f, probe);
    probe.data[offset] = old - h;
    const fMinus = evaluateScalar(fn, f, probe);
    probe.data[offset] = old;
    const numerical = (fPlus - fMinus) / (2 * h);
    const analytic = analyticGrad.data[offset]!;
    checks.push({ index, numerical, analytic, relError: relativeError(numerical, analytic) });
  }
  return checks;
  // END SOLUTION
}
