/**
 * Drawing gradient-check cases that a correct backward pass cannot fail (trusted side: it runs the
 * reference). A gradient check compares a backward pass with `extrapolatedGradientOf` a forward
 * pass by CS231n's elementwise relative error; that estimate has its own error, and an entry of
 * the gradient near 0 turns even a tiny error into a large relative one. So a case is drawn, its
 * worst-case relative error is predicted, and it is redrawn until that prediction is below a tenth
 * of the check's bound.
 *
 * The prediction, per entry i of the true gradient g (the reference's analytic one):
 *   (1.5·δ/h + T_i) / 2|g_i|
 * with δ the derived bound on the rounding of one evaluation of Σ out ⊙ dout by any correct
 * implementation (lib/testing/checks/common.ts) and T_i the truncation error of the extrapolated
 * estimate, measured: R(h) − R(h/2) ≈ (15/16)·c·h⁴, so T ≈ (16/15)·|R(h) − R(h/2)| (rounding makes
 * that measurement larger, never smaller in expectation, so it errs on the safe side).
 */
import type { Rng, Tensor } from '../../lib/index.ts';
import { EXTRAPOLATION_STEP } from '../../lib/testing/gradcheck.ts';

/**
 * At most this many draws per case. Every generator of exercises 03 and 04 accepts at least 3 draws
 * in 10 (measured over 300 draws each: 32 % for group norm on [2, 6, 2, 3] with G = 2, the hardest;
 * 75–99 % for the others), so running out has odds below 0.7^1000 ≈ 1e-155; a typical case takes
 * one to three draws. `npm run fairness` would report a generator that ran out.
 */
const ATTEMPTS = 1000;

/**
 * The largest Σ |dout_j| over the elements one perturbed input moves: elements grouped by
 * `groupOf` (a statistic group, or the channel of a γ or β), the largest group's sum.
 */
export function largestGroupSum(dout: Tensor, groupOf: (k: number) => number): number {
  const sums = new Map<number, number>();
  for (let k = 0; k < dout.data.length; k++) sums.set(groupOf(k), (sums.get(groupOf(k)) ?? 0) + Math.abs(dout.data[k]!));
  return Math.max(0, ...sums.values());
}

/**
 * Worst-case relative error of a correct backward pass against the extrapolated estimate `atH`
 * (step h), given the estimate at step h/2 and the rounding bound `delta` of one evaluation.
 */
export function predictedRelativeError(analytic: Tensor, atH: Tensor, atHalfH: Tensor, delta: number, h = EXTRAPOLATION_STEP): number {
  let worst = 0;
  for (let i = 0; i < analytic.data.length; i++) {
    const truncation = (16 / 15) * Math.abs(atH.data[i]! - atHalfH.data[i]!);
    const error = (1.5 * delta) / h + truncation;
    const scale = 2 * Math.abs(analytic.data[i]!);
    // An entry that is exactly 0 in both stays within the 1e-8 floor of relError.
    worst = Math.max(worst, error / Math.max(1e-8, scale));
  }
  return worst;
}

/**
 * Draws with `draw` until `predict` (the worst-case relative error of a correct backward pass on
 * the case) is at most `limit`. Deterministic: the same rng gives the same case.
 */
export function drawConditioned<T>(rng: Rng, draw: (rng: Rng) => T, predict: (c: T) => number, limit: number, what: string): T {
  let best = Infinity;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const c = draw(rng);
    const p = predict(c);
    if (p <= limit) return c;
    best = Math.min(best, p);
  }
  throw new Error(`drawConditioned: no ${what} case with a predicted relative error ≤ ${limit} in ${ATTEMPTS} draws (best ${best})`);
}
