/**
 * What every exercise's checks share: the unit roundoff the tolerances are derived from, the
 * default tolerance of value checks, and the assertion of a gradient check. Test support, shipped
 * with the public suites; nothing here knows a hidden case.
 *
 * How the tolerances are argued (each exercise's module applies this to its own functions):
 *   - u = 2⁻⁵³ ≈ 1.1e-16 is the unit roundoff of float64: one operation is exact to a factor 1 ± u.
 *   - A sum of n terms, in whatever order (one loop, two loops, pairwise, numpy's keepdims), is
 *     within γₙ·Σ|terms| of the exact sum, γₙ = n·u / (1 − n·u) (Higham, Accuracy and Stability of
 *     Numerical Algorithms, §4.2). Two correct implementations therefore differ by at most twice
 *     that, whatever their order of operations; this is what a value tolerance must cover.
 *   - A centred difference of a forward pass carries that forward pass's rounding, divided by the
 *     step: the estimate's own error, which a gradient tolerance must cover (see
 *     `extrapolatedGradientOf` in ../gradcheck.ts).
 *   - Conditioning: the relative error of CS231n is elementwise, so an entry near 0 makes it large
 *     for any estimate. Gradient-check inputs are drawn so that every entry of each gradient is at
 *     least `CONDITIONING` of the largest (see each exercise's generator).
 */
import { expect } from 'vitest';
import { formatShape } from '../../errors.ts';
import { unravelIndex, type Tensor } from '../../tensor.ts';
import type { Tolerance } from '../../allclose.ts';
import { relError } from '../gradcheck.ts';

/** Unit roundoff of float64, 2⁻⁵³. */
export const U = 2 ** -53;

/** γₙ = n·u / (1 − n·u): the relative bound on a sum of n terms in any order (Higham, §4.2). */
export function gamma(n: number): number {
  return (n * U) / (1 - n * U);
}

/**
 * The tolerance of a value check unless a case says otherwise: |got − expected| ≤ 1e-10 + 1e-7·|expected|.
 * Each exercise's module shows that two correct implementations stay within it for its cases (a
 * few ulps elementwise; sums of at most a few hundred well-conditioned terms), and which cases
 * need their own, derived tolerance. Every typical mistake is off by 1e-5 relative or much more.
 */
export const TOL: Tolerance = { rtol: 1e-7, atol: 1e-10 };

/**
 * Gradient-check inputs are redrawn until every entry of every gradient is at least this share
 * of the largest entry, so that CS231n's elementwise relative error measures the gradient and not
 * the numerical estimate's absolute error divided by an entry that happens to be near 0.
 */
export const CONDITIONING = 1e-2;

/** Smallest |entry| / largest |entry| of a gradient (1 for an all-zero one, which has no scale to lose). */
export function conditioningOf(g: Tensor): number {
  let lo = Infinity;
  let hi = 0;
  for (const v of g.data) {
    lo = Math.min(lo, Math.abs(v));
    hi = Math.max(hi, Math.abs(v));
  }
  return hi === 0 ? 1 : lo / hi;
}

/** True when every gradient has each entry at least `CONDITIONING` of its largest. */
export function wellConditioned(...gradients: Tensor[]): boolean {
  return gradients.every((g) => conditioningOf(g) >= CONDITIONING);
}

/**
 * Asserts that `analytic` (what a backward pass returned) is a tensor of `numerical`'s shape whose
 * CS231n relative error against `numerical` is below `bound`; the message names the quantity,
 * the worst element and both values there.
 */
export function expectGradientClose(analytic: unknown, numerical: Tensor, bound: number, what: string): void {
  expect(analytic).toHaveShape(numerical.shape, what);
  const a = analytic as Tensor;
  let worst = 0;
  let at = 0;
  for (let i = 0; i < a.data.length; i++) {
    const r = relError(a.data[i]!, numerical.data[i]!);
    if (!(r <= worst)) {
      worst = r;
      at = i;
      if (Number.isNaN(r)) break;
    }
  }
  const where = numerical.shape.length === 0 ? '' : ` at ${formatShape(unravelIndex(at, numerical.shape))}`;
  expect(worst, `relative error of ${what} (CS231n's relError; worst${where}: your ${what} ${a.data[at]}, numerical ${numerical.data[at]})`).toBeLessThan(bound);
}
