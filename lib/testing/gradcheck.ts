/**
 * Gradient-checking helpers the kit's tests use, as test support beside the suites (CS231n ships
 * its gradient_check.py the same way): students write their own in exercise 05, so these are not
 * part of lib/index.ts, and a submission cannot import them. The tests never rely on the
 * student's version.
 */
import { formatShape } from '../errors.ts';
import { type Tensor } from '../tensor.ts';

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

/** Where a tensor sits inside a value: `[]` for the value itself, `['out']` for `value.out`, `[2]` for `value[2]`. */
export type ValuePath = readonly (string | number)[];

export interface NumericalGradientOptions {
  /**
   * The input to perturb: an index into `args`, or an index and a path inside that argument
   * (`[3, 'runningMean']` for `args[3].runningMean`). It must be a tensor.
   */
  wrt: number | readonly [number, ...(string | number)[]];
  /** The output to differentiate: a path into the function's result; default the result itself. */
  output?: ValuePath;
  /** Upstream gradient when that output is a tensor (the gradient of `Σ output ⊙ dout`); omit for a number. */
  dout?: Tensor;
  /** Step of the centred differences; default 1e-5. */
  h?: number;
}

/** A way to evaluate numerical gradients of functions that run elsewhere (see `delegateNumericalGradients`). */
export type NumericalGradientDelegate = (fn: (...args: never[]) => unknown, args: readonly unknown[], options: NumericalGradientOptions) => Tensor | undefined;

let delegate: NumericalGradientDelegate | null = null;

/**
 * For the grader only: `numericalGradientOf` first asks `evaluator`, which returns the gradient for
 * functions it runs in its sandbox (all of the evaluations in one request) and undefined for any
 * other function. `null` removes it.
 */
export function delegateNumericalGradients(evaluator: NumericalGradientDelegate | null): void {
  delegate = evaluator;
}

function at(value: unknown, path: ValuePath, what: string): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') throw new TypeError(`numericalGradientOf: ${what} has no ${JSON.stringify(path)}`);
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function asTensor(value: unknown, what: string): Tensor {
  const t = value as Tensor | null;
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || !(t.data instanceof Float64Array)) {
    throw new TypeError(`numericalGradientOf: ${what} must be a tensor { shape, data: Float64Array }`);
  }
  return t;
}

/**
 * Numerical gradient of one output of `fn(...args)` with respect to one input, by centred
 * differences: the function is called twice per element of that input, with a perturbed copy of
 * it in place of the original (every other argument is passed as given).
 *
 *   numericalGradientOf(batchnormForward, [x, gamma, beta, params], { wrt: 0, output: ['out'], dout })
 *
 * is `evalNumericalGradientArray((x) => batchnormForward(x, gamma, beta, params).out, x, dout)`,
 * written as data, so that the grader can run all 2·size evaluations next to the function
 * instead of making one round trip per evaluation.
 */
export function numericalGradientOf<F extends (...args: never[]) => unknown>(fn: F, args: Parameters<F>, options: NumericalGradientOptions): Tensor {
  const delegated = delegate?.(fn, args, options);
  if (delegated !== undefined) return delegated;
  const [index, ...inside] = typeof options.wrt === 'number' ? [options.wrt] : options.wrt;
  const original = asTensor(at(args[index], inside, `args[${index}]`), `the input ${JSON.stringify(options.wrt)}`);
  // The argument with the perturbed tensor in place of the original, copying only the objects on the path.
  const replace = (value: unknown, path: readonly (string | number)[], probe: Tensor): unknown => {
    if (path.length === 0) return probe;
    const [key, ...rest] = path as [string | number, ...(string | number)[]];
    const copy = Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
    (copy as Record<string | number, unknown>)[key] = replace((value as Record<string | number, unknown>)[key], rest, probe);
    return copy;
  };
  const call = (probe: Tensor): unknown => {
    const callArgs = [...args] as unknown[];
    callArgs[index] = replace(args[index], inside, probe);
    return (fn as unknown as (...a: unknown[]) => unknown)(...callArgs);
  };
  const output = options.output ?? [];
  const h = options.h ?? 1e-5;
  if (options.dout === undefined) {
    return evalNumericalGradient(
      (probe) => {
        const value = at(call(probe), output, 'the result');
        if (typeof value !== 'number') throw new TypeError(`numericalGradientOf: the output ${JSON.stringify(output)} must be a number when no 'dout' is given`);
        return value;
      },
      original,
      h,
    );
  }
  return evalNumericalGradientArray((probe) => asTensor(at(call(probe), output, 'the result'), `the output ${JSON.stringify(output)}`), original, options.dout, h);
}

/** The step of `extrapolatedGradientOf` when none is given (it also evaluates at 2h = 2e-3). */
export const EXTRAPOLATION_STEP = 1e-3;

/**
 * A numerical gradient accurate enough to judge a backward pass by, as data like
 * `numericalGradientOf` (the same options; `h` defaults to 1e-3): Richardson extrapolation of two
 * centred differences, `R = (4·D(h) − D(2h)) / 3` with `D(h)` the centred difference of step h.
 *
 * Why: with F(x) = Σ out(x) ⊙ dout, `D(h) = F′ + F‴h²/6 + F⁽⁵⁾h⁴/120 + …`, so the h² terms cancel
 * in R and its truncation error is `|F⁽⁵⁾|·h⁴/30`; each evaluation of F is rounded by some δ (the
 * forward pass's own rounding, which differs from one correct implementation to the next), and
 * that reaches R as at most `(4·δ/h + δ/2h)/3 = 1.5·δ/h`. A single centred difference with
 * h = 1e-5 carries δ/h = 1e5·δ; R with h = 1e-3 carries 1.5e3·δ and a truncation error of
 * ~3e-14·|F⁽⁵⁾|: about 60 times more accurate on the normalization layers (measured), so that a
 * correct backward pass written in any order of operations stays far below the checks' bounds.
 *
 * NOTE: F must be smooth within 2h of the point: inputs of ReLU-like units stay ≥ 0.05 from 0.
 */
export function extrapolatedGradientOf<F extends (...args: never[]) => unknown>(fn: F, args: Parameters<F>, options: NumericalGradientOptions): Tensor {
  const h = options.h ?? EXTRAPOLATION_STEP;
  const near = numericalGradientOf(fn, args, { ...options, h });
  const far = numericalGradientOf(fn, args, { ...options, h: 2 * h });
  return { shape: [...near.shape], data: near.data.map((v, i) => (4 * v - far.data[i]!) / 3) };
}
