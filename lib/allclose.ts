/**
 * The closeness check behind the `toBeAllClose` matcher, as a pure function so the grader can use
 * the same verdict without vitest and decide how much of it a student may see.
 *
 * An element is close when `|got − expected| ≤ atol + rtol · |expected|` (numpy's `isclose`).
 * NaN or ±Infinity where a finite number is expected is never close.
 */
import { formatShape } from './errors.ts';
import { describe, formatNumber, fromNested, isTensor, shapesEqual, unravelIndex, type Nested, type Tensor } from './tensor.ts';

export interface Tolerance {
  /** Relative tolerance: the share of |expected| allowed as error. */
  rtol: number;
  /** Absolute tolerance: the error always allowed, for elements near zero. */
  atol: number;
}

export type CloseVerdict =
  | { kind: 'ok' }
  | {
      kind: 'type';
      /** What was received, described (`the number 0`, `a tensor of shape [2]`, `undefined`, …). */
      got: string;
      /** What was expected: a tensor, or a number (a tensor and a number never compare). */
      expectedKind?: 'tensor' | 'number';
    }
  | { kind: 'shape'; gotShape: number[]; expectedShape: number[] }
  | { kind: 'nonfinite'; index: number[]; got: number; expected: number; count: number }
  | {
      kind: 'values';
      /** How many elements are out of tolerance, of how many. */
      count: number;
      size: number;
      /** The first element out of tolerance (row-major order). */
      index: number[];
      got: number;
      expected: number;
      /**
       * The element out of tolerance with the largest relative error as the briefs define it
       * (CS231n): |got − expected| / max(1e-8, |got| + |expected|), which is finite, at most 1 for
       * finite values, and never Infinity when expected is 0.
       */
      worstIndex: number[];
      worstRelError: number;
      worstAbsError: number;
    };

/** Reads a tensor, a number (as shape `[]`) or a nested array as a tensor; anything else is `null`. */
export function asTensor(value: unknown): Tensor | null {
  if (isTensor(value)) return value;
  if (typeof value === 'number') return { shape: [], data: Float64Array.of(value) };
  if (Array.isArray(value)) {
    try {
      return fromNested(value as Nested);
    } catch {
      return null;
    }
  }
  return null;
}

/** Compares `actual` with `expected` elementwise and says exactly how they differ, if they do. */
export function compareAllClose(actual: unknown, expected: Tensor | number | Nested, tol: Tolerance): CloseVerdict {
  const want = asTensor(expected);
  if (want === null) throw new TypeError(`compareAllClose: 'expected' must be a tensor, a number or a nested array`);
  const got = asTensor(actual);
  if (got === null || (typeof expected === 'number') !== (typeof actual === 'number')) {
    const received = typeof actual === 'number' ? `the number ${describe(actual)}` : describe(actual);
    return { kind: 'type', got: received, expectedKind: typeof expected === 'number' ? 'number' : 'tensor' };
  }
  if (!shapesEqual(got.shape, want.shape)) {
    return { kind: 'shape', gotShape: [...got.shape], expectedShape: [...want.shape] };
  }
  let nonfinite = -1;
  let nonfiniteCount = 0;
  let first = -1;
  let count = 0;
  let worst = -1;
  let worstRel = 0;
  let worstAbs = 0;
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i]!;
    const e = want.data[i]!;
    if (!Number.isFinite(e)) {
      if (!Object.is(g, e)) {
        nonfiniteCount++;
        if (nonfinite < 0) nonfinite = i;
      }
      continue;
    }
    if (!Number.isFinite(g)) {
      nonfiniteCount++;
      if (nonfinite < 0) nonfinite = i;
      continue;
    }
    const diff = Math.abs(g - e);
    if (diff > tol.atol + tol.rtol * Math.abs(e)) {
      count++;
      if (first < 0) first = i;
      const rel = relativeError(g, e);
      if (worst < 0 || rel > worstRel) {
        worst = i;
        worstRel = rel;
      }
      worstAbs = Math.max(worstAbs, diff);
    }
  }
  if (nonfinite >= 0) {
    return {
      kind: 'nonfinite',
      index: unravelIndex(nonfinite, want.shape),
      got: got.data[nonfinite]!,
      expected: want.data[nonfinite]!,
      count: nonfiniteCount,
    };
  }
  if (first < 0) return { kind: 'ok' };
  return {
    kind: 'values',
    count,
    size: want.data.length,
    index: unravelIndex(first, want.shape),
    got: got.data[first]!,
    expected: want.data[first]!,
    worstIndex: unravelIndex(worst, want.shape),
    worstRelError: worstRel,
    worstAbsError: worstAbs,
  };
}

/**
 * CS231n's relative error of one pair, as the briefs define it: |a − b| / max(1e-8, |a| + |b|).
 * NOTE: not exported: lib/index.ts re-exports this file, and exercise 05 asks students to write it.
 */
function relativeError(got: number, expected: number): number {
  const scale = Math.max(1e-8, Math.abs(got) + Math.abs(expected));
  return Math.abs(got - expected) / scale;
}

const at = (index: number[]): string => (index.length === 0 ? '' : ` at ${formatShape(index)}`);
const sci = (v: number): string => v.toExponential(1);
/** A tolerance as written in the tests (1e-7), or to 2 significant digits when derived (3.5e-9). */
const tolerance = (v: number): string => String(Number(v.toPrecision(2)));

/**
 * The teaching message for a verdict: shape mismatch alone and first; otherwise the first element
 * that differs (got vs expected), the worst relative error and the tolerance allowed.
 */
export function explainAllClose(verdict: CloseVerdict, tol: Tolerance, what = 'result'): string {
  switch (verdict.kind) {
    case 'ok':
      return `${what} is close to the expected values`;
    case 'type':
      return verdict.expectedKind === 'number'
        ? `${what} should be a number, got ${verdict.got}`
        : `${what} should be a tensor { shape, data: Float64Array }, got ${verdict.got}`;
    case 'shape':
      return `${what} has the wrong shape: got ${formatShape(verdict.gotShape)}, expected ${formatShape(verdict.expectedShape)}`;
    case 'nonfinite':
      return (
        `${what} has ${verdict.count} non-finite value${verdict.count === 1 ? '' : 's'}: ` +
        `got ${formatNumber(verdict.got)}${at(verdict.index)}, expected ${formatNumber(verdict.expected, 10)}` +
        ` (NaN or Infinity never counts as close; look for 0/0, log(0), exp overflow or sqrt of a negative)`
      );
    case 'values':
      return [
        `${what} differs from the expected values at ${verdict.count} of ${verdict.size} element${verdict.size === 1 ? '' : 's'}`,
        `  first${at(verdict.index)}: got ${formatNumber(verdict.got, 10)}, expected ${formatNumber(verdict.expected, 10)}`,
        `  worst relative error ${sci(verdict.worstRelError)}${at(verdict.worstIndex)} (worst absolute error ${sci(verdict.worstAbsError)})`,
        `  allowed: |got − expected| ≤ atol + rtol·|expected| with rtol = ${tolerance(tol.rtol)}, atol = ${tolerance(tol.atol)}`,
      ].join('\n');
  }
}
