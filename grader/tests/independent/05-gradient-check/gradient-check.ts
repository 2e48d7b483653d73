/**
 * Exercise 05 — gradient checking (independent solution).
 */
import { assertShape, assertTensor, createRng, describe, isTensor, type Rng, shapeError, type Tensor } from '../../lib/index.ts';

export interface SparseCheck {
  index: number[];
  numerical: number;
  analytic: number;
  relError: number;
}

function checkStep(fn: string, h: unknown): number {
  if (typeof h !== 'number') throw new TypeError(`${fn}: 'h' must be a positive number, got ${describe(h)}`);
  if (!(h > 0) || !Number.isFinite(h)) throw new RangeError(`${fn}: 'h' must be a positive finite number, got ${h}`);
  return h;
}

function ratio(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1e-8, Math.abs(a) + Math.abs(b));
}

/**
 * Centred difference of `evaluate` at flat offset i of `probe`, a private copy of x. The element
 * is put back to its exact old value before returning, whether evaluate returns or throws.
 */
function centred<T>(probe: Tensor, i: number, h: number, evaluate: (p: Tensor) => T, combine: (plus: T, minus: T) => number): number {
  const old = probe.data[i]!;
  let plus: T;
  let minus: T;
  try {
    probe.data[i] = old + h;
    plus = evaluate(probe);
    probe.data[i] = old - h;
    minus = evaluate(probe);
  } finally {
    probe.data[i] = old;
  }
  return combine(plus, minus) / (2 * h);
}

function privateCopy(x: Tensor): Tensor {
  return { shape: [...x.shape], data: x.data.slice() };
}

export function numericalGradient(f: (x: Tensor) => number, x: Tensor, h = 1e-5): Tensor {
  const fn = 'numericalGradient';
  assertTensor(fn, 'x', x);
  if (typeof f !== 'function') throw new TypeError(`${fn}: 'f' must be a function`);
  checkStep(fn, h);
  const probe = privateCopy(x);
  const grad = new Float64Array(x.data.length);
  for (let i = 0; i < grad.length; i++) {
    grad[i] = centred(probe, i, h, f, (p, m) => p - m);
  }
  return { shape: [...x.shape], data: grad };
}

export function numericalGradientArray(f: (x: Tensor) => Tensor, x: Tensor, dout: Tensor, h = 1e-5): Tensor {
  const fn = 'numericalGradientArray';
  assertTensor(fn, 'x', x);
  assertTensor(fn, 'dout', dout);
  if (typeof f !== 'function') throw new TypeError(`${fn}: 'f' must be a function`);
  checkStep(fn, h);
  const g = dout.data;
  /** Runs f and returns a copy of its output, after checking it has dout's shape. */
  const evaluate = (p: Tensor): Float64Array => {
    const out = f(p);
    assertTensor(fn, 'f(x)', out);
    if (out.shape.length !== dout.shape.length || out.shape.some((d, k) => d !== dout.shape[k])) {
      throw shapeError(fn, 'dout', out.shape, dout.shape);
    }
    return out.data.slice();
  };
  const probe = privateCopy(x);
  if (probe.data.length === 0) evaluate(probe); // nothing to perturb, but the shapes must still agree
  const dx = new Float64Array(x.data.length);
  for (let i = 0; i < dx.length; i++) {
    dx[i] = centred(probe, i, h, evaluate, (plus, minus) => {
      let s = 0;
      for (let j = 0; j < plus.length; j++) s += (plus[j]! - minus[j]!) * g[j]!;
      return s;
    });
  }
  return { shape: [...x.shape], data: dx };
}

export function relError(a: Tensor | number, b: Tensor | number): number {
  const fn = 'relError';
  const aNum = typeof a === 'number';
  const bNum = typeof b === 'number';
  if (aNum && bNum) return ratio(a, b);
  if (aNum !== bNum) {
    throw new TypeError(`${fn}: 'a' and 'b' must both be numbers or both be tensors, got ${describe(a)} and ${describe(b)}`);
  }
  assertTensor(fn, 'a', a);
  assertTensor(fn, 'b', b);
  assertShape(fn, 'b', b, (a as Tensor).shape);
  const da = (a as Tensor).data;
  const db = (b as Tensor).data;
  let worst = 0;
  for (let i = 0; i < da.length; i++) {
    const r = ratio(da[i]!, db[i]!);
    if (Number.isNaN(r)) return NaN;
    if (r > worst) worst = r;
  }
  return worst;
}

export function gradCheckSparse(
  f: (x: Tensor) => number,
  x: Tensor,
  analyticGrad: Tensor,
  numChecks = 10,
  rng?: Rng,
  h = 1e-5,
): SparseCheck[] {
  const fn = 'gradCheckSparse';
  assertTensor(fn, 'x', x);
  assertShape(fn, 'analyticGrad', analyticGrad, x.shape);
  if (x.data.length === 0) throw new RangeError(`${fn}: 'x' must have at least one element, got shape [${x.shape.join(', ')}]`);
  if (typeof numChecks !== 'number') throw new TypeError(`${fn}: 'numChecks' must be a non-negative integer, got ${describe(numChecks)}`);
  if (!Number.isInteger(numChecks) || numChecks < 0) {
    throw new RangeError(`${fn}: 'numChecks' must be a non-negative integer, got ${numChecks}`);
  }
  if (rng !== undefined && (typeof rng !== 'object' || rng === null || typeof rng.randint !== 'function')) {
    throw new TypeError(`${fn}: 'rng' must be a generator from createRng, got ${describe(rng)}`);
  }
  if (typeof f !== 'function') throw new TypeError(`${fn}: 'f' must be a function`);
  checkStep(fn, h);
  const gen = rng ?? createRng(231);
  const probe = privateCopy(x);
  // Row-major strides of x.
  const strides: number[] = [];
  let s = 1;
  for (let k = x.shape.length - 1; k >= 0; k--) {
    strides[k] = s;
    s *= x.shape[k]!;
  }
  const report: SparseCheck[] = [];
  for (let c = 0; c < numChecks; c++) {
    const index = x.shape.map((d) => gen.randint(0, d));
    const offset = index.reduce((o, v, k) => o + v * strides[k]!, 0);
    const numerical = centred(probe, offset, h, f, (p, m) => p - m);
    const analytic = analyticGrad.data[offset]!;
    report.push({ index, numerical, analytic, relError: ratio(numerical, analytic) });
  }
  return report;
}
