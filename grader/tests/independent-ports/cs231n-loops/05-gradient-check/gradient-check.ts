/**
 * Exercise 05, ported from a loop-style solution: each element of a copy of x is stepped up by h,
 * then down by 2h (so f sees (x_i + h) − 2h, one ulp off x_i − h at times), then set back; the
 * array version sums f(x + h)·dout and f(x − h)·dout before subtracting. Both correct, if less
 * precise than CS231n's order.
 */
import { assertShape, assertTensor, createRng, describe, isTensor, type Rng, type Tensor } from '../../lib/index.ts';

export interface SparseCheck {
  index: number[];
  numerical: number;
  analytic: number;
  relError: number;
}

function step(fn: string, h: number): void {
  if (typeof h !== 'number' || Number.isNaN(h) || h <= 0 || h === Infinity) throw new RangeError(`${fn}: 'h' must be a positive finite number, got ${describe(h)}`);
}

/** The centred difference at flat offset i of a private copy `probe`, which is left as it was. */
function centred(f: (x: Tensor) => number, probe: Tensor, i: number, h: number): number {
  const old = probe.data[i]!;
  probe.data[i] += h;
  const up = f(probe);
  probe.data[i] -= 2 * h;
  const down = f(probe);
  probe.data[i] = old;
  return (up - down) / (2 * h);
}

export function numericalGradient(f: (x: Tensor) => number, x: Tensor, h = 1e-5): Tensor {
  assertTensor('numericalGradient', 'x', x);
  step('numericalGradient', h);
  const probe: Tensor = { shape: [...x.shape], data: Float64Array.from(x.data) };
  const grad = new Float64Array(x.data.length);
  for (let i = 0; i < grad.length; i++) grad[i] = centred(f, probe, i, h);
  return { shape: [...x.shape], data: grad };
}

export function numericalGradientArray(f: (x: Tensor) => Tensor, x: Tensor, dout: Tensor, h = 1e-5): Tensor {
  const fn = 'numericalGradientArray';
  assertTensor(fn, 'x', x);
  assertTensor(fn, 'dout', dout);
  step(fn, h);
  const probe: Tensor = { shape: [...x.shape], data: Float64Array.from(x.data) };
  const weighted = (): number => {
    const out: unknown = f(probe);
    if (!isTensor(out)) throw new TypeError(`${fn}: 'f' must return a tensor, got ${describe(out)}`);
    assertShape(fn, 'dout', dout, out.shape);
    let s = 0;
    for (let j = 0; j < out.data.length; j++) s += out.data[j]! * dout.data[j]!;
    return s; // read before f runs again: its output may share data with probe
  };
  const grad = new Float64Array(x.data.length);
  for (let i = 0; i < grad.length; i++) {
    const old = probe.data[i]!;
    probe.data[i] += h;
    const up = weighted();
    probe.data[i] -= 2 * h;
    const down = weighted();
    probe.data[i] = old;
    grad[i] = (up - down) / (2 * h);
  }
  return { shape: [...x.shape], data: grad };
}

function ratio(a: number, b: number): number {
  const d = Math.abs(a - b);
  const s = Math.abs(a) + Math.abs(b);
  return d / (s > 1e-8 ? s : 1e-8);
}

export function relError(a: Tensor | number, b: Tensor | number): number {
  if (typeof a === 'number' && typeof b === 'number') return ratio(a, b);
  if (typeof a === 'number' || typeof b === 'number') throw new TypeError(`relError: 'a' and 'b' must be two numbers or two tensors, got ${describe(a)} and ${describe(b)}`);
  assertTensor('relError', 'a', a);
  assertShape('relError', 'b', b, a.shape);
  let worst = 0;
  for (let i = a.data.length - 1; i >= 0; i--) {
    const r = ratio(a.data[i]!, b.data[i]!);
    if (r !== r) return NaN;
    worst = r > worst ? r : worst;
  }
  return worst;
}

export function gradCheckSparse(f: (x: Tensor) => number, x: Tensor, analyticGrad: Tensor, numChecks = 10, rng?: Rng, h = 1e-5): SparseCheck[] {
  const fn = 'gradCheckSparse';
  assertTensor(fn, 'x', x);
  assertShape(fn, 'analyticGrad', analyticGrad, x.shape);
  if (typeof numChecks !== 'number' || !Number.isInteger(numChecks) || numChecks < 0) throw new RangeError(`${fn}: 'numChecks' must be a non-negative integer, got ${describe(numChecks)}`);
  step(fn, h);
  if (numChecks > 0 && x.data.length === 0) throw new RangeError(`${fn}: 'x' must have at least one element, got [${x.shape.join(', ')}]`);
  const r = rng ?? createRng(231);
  const probe: Tensor = { shape: [...x.shape], data: Float64Array.from(x.data) };
  const out: SparseCheck[] = [];
  for (let c = 0; c < numChecks; c++) {
    const index: number[] = [];
    for (const d of x.shape) index.push(r.randint(0, d));
    let i = 0;
    for (let k = 0; k < index.length; k++) i = i * x.shape[k]! + index[k]!;
    const numerical = centred(f, probe, i, h);
    const analytic = analyticGrad.data[i]!;
    out.push({ index, numerical, analytic, relError: ratio(numerical, analytic) });
  }
  return out;
}
