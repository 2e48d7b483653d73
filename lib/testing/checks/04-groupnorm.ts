/**
 * Exercise 04's checks, shared by the public suite and the grader's hidden one: the tolerances
 * and why a correct implementation cannot miss them, the fixture-driven value tests (each suite
 * passes its own fixture), and the gradient checks. Nothing here names a hidden case.
 */
import { expect, test } from 'vitest';
import type { Tensor } from '../../index.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import { extrapolatedGradientOf } from '../gradcheck.ts';
import { expectGradientClose, normalizationBounds, toleranceFor, TOL, type NormalizationBounds } from './common.ts';
import type * as Groupnorm from '../../../exercises/04-groupnorm/groupnorm.ts';

export { TOL };

/** An implementation of exercise 04: the student's module, the reference, a port. */
export type GroupnormModule = typeof Groupnorm;

export type LayernormArgs = { x: Tensor; gamma: Tensor; beta: Tensor; eps?: number };
export type GroupnormArgs = LayernormArgs & { G: number };
export type Gradients = { dx: Tensor; dgamma: Tensor; dbeta: Tensor };

/**
 * How far two correct layer norms can be apart on these inputs (`normalizationBounds`, one
 * statistic group per row). Below 1e-12 for the usual cases (D ≤ 50, max|x| / σ ≤ 10, |γ| ≤ 3), so
 * the value checks keep `TOL`; rows near 1e6 with unit spread get their own, larger atol (their
 * mean errs by ~1e-9 in any summation order). The typical mistakes are off by much more: D − 1 in
 * the variance by 1/2D relative, statistics over the batch or ε outside the root by ≥ 1e-3 on the
 * cases built for them, E[x²] − μ² near 1e6 by ~1e-3.
 */
export function layernormBounds(args: LayernormArgs & { dout?: Tensor }): NormalizationBounds {
  const [, D] = args.x.shape as [number, number];
  return normalizationBounds({
    x: args.x.data,
    groups: args.x.shape[0]!,
    groupOf: (k) => Math.floor(k / D),
    gammaOf: (k) => args.gamma.data[k % D]!,
    betaOf: (k) => args.beta.data[k % D]!,
    eps: args.eps ?? 1e-5,
    statistics: { kind: 'batch' },
    dout: args.dout?.data,
  });
}

/** As `layernormBounds`, for group norm: one statistic group per (sample, group of C/G channels). */
export function groupnormBounds(args: GroupnormArgs & { dout?: Tensor }): NormalizationBounds {
  const [N, C, H, W] = args.x.shape as [number, number, number, number];
  const HW = H * W;
  const perGroup = C / args.G;
  const channel = (k: number): number => Math.floor(k / HW) % C;
  return normalizationBounds({
    x: args.x.data,
    groups: N * args.G,
    groupOf: (k) => Math.floor(k / (C * HW)) * args.G + Math.floor(channel(k) / perGroup),
    gammaOf: (k) => args.gamma.data[channel(k)]!,
    betaOf: (k) => args.beta.data[channel(k)]!,
    eps: args.eps ?? 1e-5,
    statistics: { kind: 'batch' },
    dout: args.dout?.data,
  });
}

/**
 * Gradient checks: your dx, dγ, dβ against `extrapolatedGradientOf` your forward pass
 * (h = 1e-3 and 2e-3), by CS231n's relative error. The estimate's own error is (1.5·δ/h + T) per
 * entry: δ the rounding of one evaluation of Σ out ⊙ dout, at most Σ|dout| times the forward bound
 * of one implementation in any order of operations (≈ 1e-13 here, so ≤ 2e-10), T the truncation
 * of the extrapolation, h⁴·|F⁽⁵⁾|/30, which grows as 1/σ⁵. The cases are drawn (public ones into
 * the fixture, hidden ones at grading time, by grader/exercises/04-groupnorm/variants.ts) until
 * that error — δ derived, T measured from the estimate at h/2 — divided by twice the smallest entry
 * of the true gradient is at most 1e-7, for dx, dγ and dβ alike. dx of a normalization has entries
 * near 0 whenever the mean and variance paths nearly cancel; such draws are the ones redrawn. So a
 * correct backward pass cannot exceed 1e-7 and measures below 1e-8 (`npm run fairness`, 1000 seeds); the bound
 * 1e-6 leaves a factor of 10 on the worst case. A missing path is off by 1e-2 or more.
 */
export const GRAD_MAX_REL_ERROR = 1e-6;

export function runLayernormBackward(mod: GroupnormModule, args: LayernormArgs & { dout: Tensor }): Gradients {
  return mod.layernormBackward(args.dout, mod.layernormForward(args.x, args.gamma, args.beta, args.eps).cache);
}

export function runGroupnormBackward(mod: GroupnormModule, args: GroupnormArgs & { dout: Tensor }): Gradients {
  return mod.groupnormBackward(args.dout, mod.groupnormForward(args.x, args.gamma, args.beta, args.G, args.eps).cache);
}

/** The forward pass's arguments as data, without an `eps` the case leaves to the default. */
function lnInputs(args: LayernormArgs): Parameters<GroupnormModule['layernormForward']> {
  return args.eps === undefined ? [args.x, args.gamma, args.beta] : [args.x, args.gamma, args.beta, args.eps];
}

function gnInputs(args: GroupnormArgs): Parameters<GroupnormModule['groupnormForward']> {
  return args.eps === undefined ? [args.x, args.gamma, args.beta, args.G] : [args.x, args.gamma, args.beta, args.G, args.eps];
}

/**
 * dx, dγ and dβ of `mod`'s layer norm backward pass (with `mod`'s own cache) against extrapolated
 * numerical gradients of `numericalOf`'s forward pass (`mod` in the public suite; the reference in
 * the hidden one, so a forward mistake is not counted twice).
 */
export function expectLayernormGradients(mod: GroupnormModule, args: LayernormArgs & { dout: Tensor }, numericalOf: GroupnormModule = mod): void {
  const { dx, dgamma, dbeta } = runLayernormBackward(mod, args);
  const numerical = (wrt: 0 | 1 | 2): Tensor => extrapolatedGradientOf(numericalOf.layernormForward, lnInputs(args), { wrt, output: ['out'], dout: args.dout });
  expectGradientClose(dbeta, numerical(2), GRAD_MAX_REL_ERROR, 'dbeta');
  expectGradientClose(dgamma, numerical(1), GRAD_MAX_REL_ERROR, 'dgamma');
  expectGradientClose(dx, numerical(0), GRAD_MAX_REL_ERROR, 'dx');
}

/** As `expectLayernormGradients`, for group norm. */
export function expectGroupnormGradients(mod: GroupnormModule, args: GroupnormArgs & { dout: Tensor }, numericalOf: GroupnormModule = mod): void {
  const { dx, dgamma, dbeta } = runGroupnormBackward(mod, args);
  const numerical = (wrt: 0 | 1 | 2): Tensor => extrapolatedGradientOf(numericalOf.groupnormForward, gnInputs(args), { wrt, output: ['out'], dout: args.dout });
  expectGradientClose(dbeta, numerical(2), GRAD_MAX_REL_ERROR, 'dbeta');
  expectGradientClose(dgamma, numerical(1), GRAD_MAX_REL_ERROR, 'dgamma');
  expectGradientClose(dx, numerical(0), GRAD_MAX_REL_ERROR, 'dx');
}

/** Checks gradients against expected values, with the tolerances `b` derived for the case. */
export function expectGradientsClose(got: Gradients, want: Gradients, b: NormalizationBounds): void {
  expect(got.dbeta).toBeAllClose(want.dbeta, { ...toleranceFor(b.dbeta), what: 'dbeta' });
  expect(got.dgamma).toBeAllClose(want.dgamma, { ...toleranceFor(b.dgamma), what: 'dgamma' });
  expect(got.dx).toBeAllClose(want.dx, { ...toleranceFor(b.dx), what: 'dx' });
}

/** The fixture-driven value tests: layer norm forward and backward, then group norm forward and backward. */
export function valueTests(fixture: Fixture, mod: GroupnormModule): void {
  test.for(titled(casesFor<LayernormArgs, { out: Tensor }>(fixture, 'layernormForward')))('%s', ([, { args, expected }]) => {
    const { out } = mod.layernormForward(...lnInputs(args));
    expect(out).toBeAllClose(expected.out, { ...toleranceFor(layernormBounds(args).out), what: 'out' });
  });

  test.for(titled(casesFor<LayernormArgs & { dout: Tensor }, Gradients>(fixture, 'layernormBackward')))('%s', ([, { args, expected }]) => {
    // Your own forward pass makes the cache: its contents are your design.
    expectGradientsClose(runLayernormBackward(mod, args), expected, layernormBounds(args));
  });

  test.for(titled(casesFor<GroupnormArgs, { out: Tensor }>(fixture, 'groupnormForward')))('%s', ([, { args, expected }]) => {
    const { out } = mod.groupnormForward(...gnInputs(args));
    expect(out).toBeAllClose(expected.out, { ...toleranceFor(groupnormBounds(args).out), what: 'out' });
  });

  test.for(titled(casesFor<GroupnormArgs & { dout: Tensor }, Gradients>(fixture, 'groupnormBackward')))('%s', ([, { args, expected }]) => {
    expectGradientsClose(runGroupnormBackward(mod, args), expected, groupnormBounds(args));
  });
}

/** The cases of `fixture` drawn for gradient checks of `fn` (well-conditioned: see GRAD_MAX_REL_ERROR). */
export function gradientCheckCases<A extends LayernormArgs>(fixture: Fixture, fn: 'layernormBackward' | 'groupnormBackward'): (A & { dout: Tensor })[] {
  return casesFor<A & { dout: Tensor }, Gradients>(fixture, fn)
    .filter((c) => c.group === 'gradient-check')
    .map((c) => c.args);
}
