/**
 * Registers the kit's matchers for vitest: `expect(x).toBeAllClose(expected, { rtol, atol })` and
 * `expect(out).toHaveShape([3, 4], 'out')`. Imported once by the setup file; the messages come
 * from lib/allclose.ts so students and the grader read the same wording.
 */
import { expect } from 'vitest';
import { asTensor, compareAllClose, explainAllClose, type Tolerance } from '../allclose.ts';
import { formatShape } from '../errors.ts';
import { describe, isTensor, shapesEqual, type Nested, type Tensor } from '../tensor.ts';

/**
 * The tolerance used when a test names none: float64 arithmetic done in a different order differs
 * by ~1e-15 relative, so 1e-7 leaves eight orders of magnitude of slack for honest rounding, while
 * every real mistake the suites look for (N − 1 variance, eps outside the square root, a wrong
 * derivative) is off by 1e-5 or far more.
 */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-7, atol: 1e-10 };

interface AllCloseMatchers<R = unknown> {
  /**
   * Elementwise `|actual − expected| ≤ atol + rtol·|expected|`, shapes equal, no NaN or Infinity.
   * `what` names the quantity in the failure message (default "result").
   */
  toBeAllClose(expected: Tensor | number | Nested, tolerance?: Partial<Tolerance> & { what?: string }): R;
  /**
   * A tensor `{ shape, data: Float64Array }` of exactly this shape. `what` names it in the failure
   * message: `out has the wrong shape: got [4, 3], expected [3, 4]`.
   */
  toHaveShape(expected: readonly number[], what?: string): R;
}

/** Sees how close each `toBeAllClose` came to failing: max |got − expected| / (atol + rtol·|expected|), 1 = at the bound. */
export type ClosenessObserver = (what: string, usedShareOfTolerance: number) => void;
let observer: ClosenessObserver | null = null;

/** For `npm run fairness`'s figures: observe every closeness check from now on; `null` stops. */
export function observeCloseness(next: ClosenessObserver | null): void {
  observer = next;
}

function usedShare(received: unknown, expected: Tensor | number | Nested, tol: Tolerance): number {
  const got = asTensor(received);
  const want = asTensor(expected);
  if (got === null || want === null || got.data.length !== want.data.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < want.data.length; i++) {
    const e = want.data[i]!;
    if (!Number.isFinite(e)) continue;
    const allowed = tol.atol + tol.rtol * Math.abs(e);
    const diff = Math.abs(got.data[i]! - e);
    worst = Math.max(worst, allowed === 0 ? (diff === 0 ? 0 : Infinity) : diff / allowed);
  }
  return worst;
}

declare module 'vitest' {
  // NOTE: declaration merging must repeat vitest's own type parameter, `T = any`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends AllCloseMatchers<T> {}
}

expect.extend({
  toBeAllClose(received: unknown, expected: Tensor | number | Nested, tolerance: Partial<Tolerance> & { what?: string } = {}) {
    const tol: Tolerance = { rtol: tolerance.rtol ?? DEFAULT_TOLERANCE.rtol, atol: tolerance.atol ?? DEFAULT_TOLERANCE.atol };
    const verdict = compareAllClose(received, expected, tol);
    const what = tolerance.what ?? 'result';
    if (observer !== null && verdict.kind === 'ok') observer(what, usedShare(received, expected, tol));
    return {
      pass: verdict.kind === 'ok',
      message: () =>
        verdict.kind === 'ok'
          ? `${what} is close to the expected values, but the test expected it not to be`
          : explainAllClose(verdict, tol, what),
    };
  },

  toHaveShape(received: unknown, expected: readonly number[], what = 'result') {
    if (!isTensor(received)) {
      const got = typeof received === 'number' ? `the number ${describe(received)}` : describe(received);
      return { pass: false, message: () => `${what} should be a tensor { shape, data: Float64Array }, got ${got}` };
    }
    const pass = shapesEqual(received.shape, expected);
    return {
      pass,
      message: () =>
        pass
          ? `${what} has the shape ${formatShape(expected)}, but the test expected another one`
          : `${what} has the wrong shape: got ${formatShape(received.shape)}, expected ${formatShape(expected)}`,
    };
  },
});
