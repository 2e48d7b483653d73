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
 *     for any estimate. Gradient-check inputs are drawn so that the estimate's own worst-case
 *     error, divided by twice the smallest entry, stays below a tenth of the bound (exercise 01 by
 *     the range of x; 03 and 04 by redrawing, grader/exercises/gradient-cases.ts; 05 by redrawing,
 *     ./05-gradient-check.ts).
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

/** Sees the relative error of every gradient check and its bound (for `npm run fairness`'s figures). */
export type GradientCheckObserver = (what: string, relError: number, bound: number) => void;
let observer: GradientCheckObserver | null = null;

/** For the fairness sweep: observe every gradient check from now on; `null` stops. */
export function observeGradientChecks(next: GradientCheckObserver | null): void {
  observer = next;
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
  observer?.(what, worst, bound);
  const where = numerical.shape.length === 0 ? '' : ` at ${formatShape(unravelIndex(at, numerical.shape))}`;
  expect(worst, `relative error of ${what} (CS231n's relError; worst${where}: your ${what} ${a.data[at]}, numerical ${numerical.data[at]})`).toBeLessThan(bound);
}

/** A normalization evaluated on `x`, described by which statistic each element belongs to. */
export interface NormalizationCase {
  /** The input, flat. */
  x: ArrayLike<number>;
  /** Number of statistic groups (features of batch norm, rows of layer norm, (sample, group) pairs of group norm). */
  groups: number;
  /** The statistic group of flat element k. */
  groupOf: (k: number) => number;
  /** γ and β of flat element k. */
  gammaOf: (k: number) => number;
  betaOf: (k: number) => number;
  eps: number;
  /**
   * 'batch' when μ and σ² are computed from x (train mode, layer and group norm); 'given' when they
   * are inputs (batch norm's test mode: `mean` and `variance` per group).
   */
  statistics: { kind: 'batch' } | { kind: 'given'; mean: (group: number) => number; variance: (group: number) => number };
  /** Upstream gradient, flat, when the backward pass is checked. */
  dout?: ArrayLike<number>;
}

/** Absolute error bounds for the outputs of a normalization and its backward pass. */
export interface NormalizationBounds {
  /** |δ out| for any element. */
  out: number;
  /** |δ dx| for any element. */
  dx: number;
  /** |δ dγ| and |δ dβ| for any parameter. */
  dgamma: number;
  dbeta: number;
}

/**
 * How far two correct implementations of a normalization can be apart, element by element, whatever
 * their order of operations (one-pass or two-pass loops over x − μ, numpy's keepdims reductions,
 * pairwise sums, a closed-form or a node-by-node backward pass). Per statistic group of M values,
 * with u = 2⁻⁵³ and s = √(σ² + ε):
 *   δμ ≤ (M + 1)·u·max|x|, the error of any summation order (γ_M) and the division; relative to
 *   the spread that is ρ = δμ / s, the conditioning of the input (large offsets make it large);
 *   δs / s ≤ (M + 7)·u/2 + ρ²/2 (σ² sums positive terms, so its relative error stays ~M·u);
 *   δx̂ ≤ ρ + |x̂|·((M + 11)·u/2 + ρ²/2), and δout ≤ |γ|·δx̂ + 2u·(|γx̂| + |β|).
 * Backward, with g = dout ⊙ γ and dx = (g − mean(g) − x̂·mean(g ⊙ x̂)) / s: each mean errs by
 * (M + 2)·u times its largest term plus the spread of δx̂ it multiplies, the bracket by those and
 * 3u of its terms, dx by the bracket's error / s plus |dx| times δs/s; dγ = Σ dout ⊙ x̂ errs by
 * (n + 2)·u·Σ|dout ⊙ x̂| + Σ|dout|·max δx̂ and dβ = Σ dout by (n + 1)·u·Σ|dout| (n elements).
 * Each bound is one implementation's distance from the exact result; the returned numbers are
 * 4 times the largest over the elements: twice for two implementations, twice for the operations
 * a particular implementation adds (1/s times c instead of c/s, a node-by-node backward pass).
 */
export function normalizationBounds(c: NormalizationCase): NormalizationBounds {
  const n = c.x.length;
  const count = new Float64Array(c.groups);
  const total = new Float64Array(c.groups);
  const maxAbs = new Float64Array(c.groups);
  for (let k = 0; k < n; k++) {
    const g = c.groupOf(k);
    count[g]!++;
    total[g]! += c.x[k]!;
    maxAbs[g] = Math.max(maxAbs[g]!, Math.abs(c.x[k]!));
  }
  const given = c.statistics.kind === 'given' ? c.statistics : null;
  const mu = Float64Array.from(total, (t, g) => (given ? given.mean(g) : t / Math.max(1, count[g]!)));
  const sq = new Float64Array(c.groups);
  for (let k = 0; k < n; k++) sq[c.groupOf(k)]! += (c.x[k]! - mu[c.groupOf(k)]!) ** 2;
  const s = Float64Array.from(sq, (v, g) => Math.sqrt((given ? given.variance(g) : v / Math.max(1, count[g]!)) + c.eps));
  // ρ = δμ / s; relative error of s; δx̂ per element.
  const rho = Float64Array.from(s, (sg, g) => (given ? 2 * U * (maxAbs[g]! + Math.abs(mu[g]!)) : (count[g]! + 1) * U * maxAbs[g]!) / sg);
  const relS = Float64Array.from(rho, (r, g) => (given ? 2 * U : ((count[g]! + 7) * U) / 2 + (r * r) / 2));
  const xhat = new Float64Array(n);
  const dxhat = new Float64Array(n);
  let out = 0;
  for (let k = 0; k < n; k++) {
    const g = c.groupOf(k);
    xhat[k] = (c.x[k]! - mu[g]!) / s[g]!;
    dxhat[k] = rho[g]! + Math.abs(xhat[k]!) * (2 * U + relS[g]!);
    const gamma = c.gammaOf(k);
    out = Math.max(out, Math.abs(gamma) * dxhat[k]! + 2 * U * (Math.abs(gamma * xhat[k]!) + Math.abs(c.betaOf(k))));
  }
  if (c.dout === undefined) return { out: 4 * out, dx: 0, dgamma: 0, dbeta: 0 };
  const dout = c.dout;
  // Per group: the largest |g|, |g x̂| and δx̂, and the two means of the closed form.
  const maxG = new Float64Array(c.groups);
  const maxGX = new Float64Array(c.groups);
  const maxDX = new Float64Array(c.groups);
  const m1 = new Float64Array(c.groups);
  const m2 = new Float64Array(c.groups);
  let sumAbsDout = 0;
  let sumAbsDoutXhat = 0;
  let maxDxhat = 0;
  for (let k = 0; k < n; k++) {
    const grp = c.groupOf(k);
    const g = dout[k]! * c.gammaOf(k);
    maxG[grp] = Math.max(maxG[grp]!, Math.abs(g));
    maxGX[grp] = Math.max(maxGX[grp]!, Math.abs(g * xhat[k]!));
    maxDX[grp] = Math.max(maxDX[grp]!, dxhat[k]!);
    m1[grp]! += g / count[grp]!;
    m2[grp]! += (g * xhat[k]!) / count[grp]!;
    sumAbsDout += Math.abs(dout[k]!);
    sumAbsDoutXhat += Math.abs(dout[k]! * xhat[k]!);
    maxDxhat = Math.max(maxDxhat, dxhat[k]!);
  }
  let dx = 0;
  for (let k = 0; k < n; k++) {
    const grp = c.groupOf(k);
    const g = dout[k]! * c.gammaOf(k);
    if (given) {
      dx = Math.max(dx, 3 * U * Math.abs(g / s[grp]!));
      continue;
    }
    const M = count[grp]!;
    const dm1 = (M + 2) * U * maxG[grp]!;
    const dm2 = (M + 2) * U * maxGX[grp]! + maxG[grp]! * maxDX[grp]!;
    const bracket = g - m1[grp]! - xhat[k]! * m2[grp]!;
    const dBracket = dm1 + dxhat[k]! * Math.abs(m2[grp]!) + Math.abs(xhat[k]!) * dm2 + 3 * U * (Math.abs(g) + Math.abs(m1[grp]!) + Math.abs(xhat[k]! * m2[grp]!));
    dx = Math.max(dx, dBracket / s[grp]! + (Math.abs(bracket) / s[grp]!) * (relS[grp]! + U));
  }
  const dgamma = (n + 2) * U * sumAbsDoutXhat + sumAbsDout * maxDxhat;
  const dbeta = (n + 1) * U * sumAbsDout;
  return { out: 4 * out, dx: 4 * dx, dgamma: 4 * dgamma, dbeta: 4 * dbeta };
}

/** `TOL`, with its atol raised to `bound` when a case's derived error bound is larger. */
export function toleranceFor(bound: number): Tolerance {
  return { rtol: TOL.rtol, atol: Math.max(TOL.atol, bound) };
}
