/**
 * Exercise 03's checks, shared by the public suite and the grader's hidden one: the tolerances
 * and why a correct implementation cannot miss them, the fixture-driven value tests (each suite
 * passes its own fixture), and the gradient check. Nothing here names a hidden case.
 */
import { expect, test } from 'vitest';
import type { Tensor } from '../../index.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import { extrapolatedGradientOf } from '../gradcheck.ts';
import { expectGradientClose, normalizationBounds, toleranceFor, TOL, type NormalizationBounds } from './common.ts';
import type * as Batchnorm from '../../../exercises/03-batchnorm/batchnorm.ts';
import type { BatchnormParams } from '../../../exercises/03-batchnorm/batchnorm.ts';

export { TOL };

/** An implementation of exercise 03: the student's module, the reference, a port. */
export type BatchnormModule = typeof Batchnorm;
export type BackwardName = 'batchnormBackward' | 'batchnormBackwardAlt';

export type ForwardArgs = { x: Tensor; gamma: Tensor; beta: Tensor; params: BatchnormParams };
export type BackwardArgs = ForwardArgs & { dout: Tensor };
export type Gradients = { dx: Tensor; dgamma: Tensor; dbeta: Tensor };

/**
 * How far two correct batch norms can be apart on these inputs (`normalizationBounds`, one
 * statistic group per feature). For the usual cases (N ≤ 40 rows, max|x| / σ ≤ 10, |γ| ≤ 3) every
 * bound is below 1e-12, so the value checks keep `TOL` (atol 1e-10, rtol 1e-7). A case whose own
 * bound is larger gets that bound as its atol: features near 1e6 with unit spread (the mean errs
 * by ~1e-9 in any summation order, so x̂ does too), variances far below ε (1/√ε ≈ 316 scales dx).
 * The typical mistakes are off by far more: N − 1 in the variance by 1/2N relative (≥ 1e-2),
 * ε outside the root by ~ε/σ² on these inputs (≥ 1e-6 on the small-variance cases, where it is
 * ≥ 1e-1), a missing path of the backward pass by the size of that path.
 */
export function bounds(args: ForwardArgs & { dout?: Tensor }): NormalizationBounds {
  const [, D] = args.x.shape as [number, number];
  const { params } = args;
  const mode = params.mode;
  return normalizationBounds({
    x: args.x.data,
    groups: D,
    groupOf: (k) => k % D,
    gammaOf: (k) => args.gamma.data[k % D]!,
    betaOf: (k) => args.beta.data[k % D]!,
    eps: params.eps ?? 1e-5,
    statistics:
      mode === 'test'
        ? { kind: 'given', mean: (d) => params.runningMean?.data[d] ?? 0, variance: (d) => params.runningVar?.data[d] ?? 0 }
        : { kind: 'batch' },
    dout: args.dout?.data,
  });
}

/**
 * Gradient checks: your dx, dγ, dβ against `extrapolatedGradientOf` your forward pass
 * (h = 1e-3 and 2e-3), by CS231n's relative error. The estimate's own error is (1.5·δ/h + T) per
 * entry: δ the rounding of one evaluation of Σ out ⊙ dout, at most Σ|dout| times `bounds(…).out`
 * of one implementation, whatever its order of operations (≈ 1e-13 on these cases, so ≤ 2e-10),
 * and T the truncation of the extrapolation, h⁴·|F⁽⁵⁾|/30, which grows as 1/σ⁵ (≈ 1e-12 for
 * σ ≈ 2, 1e-9 when a small batch happens to have σ ≈ 1). The cases are drawn (public ones into the
 * fixture, hidden ones at grading time, by grader/exercises/03-batchnorm/variants.ts) until that
 * error — δ derived, T measured from the estimate at h/2 — divided by twice the smallest entry of
 * the true gradient is at most 1e-7 for dx, dγ and dβ. So a correct backward pass cannot exceed
 * 1e-7, and measures below 2e-8 (`npm run fairness`, 1000 seeds); the bound 1e-6 leaves a factor of 10 on the
 * worst case. A missing path of the backward pass is off by 1e-2 or more.
 */
export const GRAD_MAX_REL_ERROR = 1e-6;

/** Runs `mod`'s forward pass on a case, then one of its backward passes on that forward's cache. */
export function runBackward(mod: BatchnormModule, fn: BackwardName, args: BackwardArgs): Gradients {
  const { cache } = mod.batchnormForward(args.x, args.gamma, args.beta, args.params);
  return mod[fn](args.dout, cache);
}

/**
 * dx, dγ and dβ of `mod`'s backward pass `fn` (with `mod`'s own cache) against the extrapolated
 * numerical gradients of `numericalOf`'s forward pass (`mod` itself in the public suite; the
 * reference in the hidden one, so a forward mistake is not counted twice).
 */
export function expectGradientsMatchNumerical(mod: BatchnormModule, fn: BackwardName, args: BackwardArgs, numericalOf: BatchnormModule = mod): void {
  const { dx, dgamma, dbeta } = runBackward(mod, fn, args);
  const inputs: Parameters<BatchnormModule['batchnormForward']> = [args.x, args.gamma, args.beta, args.params];
  const numerical = (wrt: 0 | 1 | 2): Tensor => extrapolatedGradientOf(numericalOf.batchnormForward, inputs, { wrt, output: ['out'], dout: args.dout });
  const mode = args.params.mode;
  expectGradientClose(dbeta, numerical(2), GRAD_MAX_REL_ERROR, `dbeta (${mode} mode)`);
  expectGradientClose(dgamma, numerical(1), GRAD_MAX_REL_ERROR, `dgamma (${mode} mode)`);
  expectGradientClose(dx, numerical(0), GRAD_MAX_REL_ERROR, `dx (${mode} mode)`);
}

/** Checks one forward pass against expected values, with the tolerance the case's inputs allow. */
export function expectForwardClose(got: { out: Tensor; runningMean: Tensor; runningVar: Tensor }, want: { out: Tensor; runningMean: Tensor; runningVar: Tensor }, args: ForwardArgs): void {
  expect(got.out).toBeAllClose(want.out, { ...toleranceFor(bounds(args).out), what: 'out' });
  expect(got.runningMean).toBeAllClose(want.runningMean, { ...TOL, what: 'runningMean' });
  expect(got.runningVar).toBeAllClose(want.runningVar, { ...TOL, what: 'runningVar' });
}

/** Checks gradients against expected values, with the tolerances the case's inputs allow. */
export function expectGradientsClose(got: Gradients, want: Gradients, args: BackwardArgs): void {
  const b = bounds(args);
  expect(got.dbeta).toBeAllClose(want.dbeta, { ...toleranceFor(b.dbeta), what: 'dbeta' });
  expect(got.dgamma).toBeAllClose(want.dgamma, { ...toleranceFor(b.dgamma), what: 'dgamma' });
  expect(got.dx).toBeAllClose(want.dx, { ...toleranceFor(b.dx), what: 'dx' });
}

/** The fixture-driven value tests: every forward case (but training sequences), then every backward case. */
export function valueTests(fixture: Fixture, mod: BatchnormModule): void {
  const forwardCases = casesFor<ForwardArgs, { out: Tensor; runningMean: Tensor; runningVar: Tensor }>(fixture, 'batchnormForward').filter((c) => c.group !== 'sequence');
  test.for(titled(forwardCases))('%s', ([, { args, expected }]) => {
    expectForwardClose(mod.batchnormForward(args.x, args.gamma, args.beta, args.params), expected, args);
  });

  const backwardCases = [...casesFor<BackwardArgs, Gradients>(fixture, 'batchnormBackward'), ...casesFor<BackwardArgs, Gradients>(fixture, 'batchnormBackwardAlt')];
  test.for(titled(backwardCases))('%s', ([, { fn, args, expected }]) => {
    // Your own forward pass makes the cache: its contents are your design.
    expectGradientsClose(runBackward(mod, fn as BackwardName, args), expected, args);
  });
}

/** The cases of `fixture` drawn for gradient checks (well-conditioned: see GRAD_MAX_REL_ERROR). */
export function gradientCheckCases(fixture: Fixture): BackwardArgs[] {
  return casesFor<BackwardArgs, Gradients>(fixture, 'batchnormBackward')
    .filter((c) => c.group === 'gradient-check')
    .map((c) => c.args);
}
