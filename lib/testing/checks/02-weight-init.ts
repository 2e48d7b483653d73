/**
 * Exercise 02's checks, shared by the public suite and the grader's hidden one: the tolerances
 * and why a correct implementation cannot miss them, and the fixture-driven value tests (each
 * suite passes its own fixture). Nothing here names a hidden case.
 */
import { expect, test } from 'vitest';
import { createRng, type Tensor } from '../../index.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import { TOL } from './common.ts';
import type * as WeightInit from '../../../exercises/02-weight-init/weight-init.ts';
import type { Activation, LayerStatistics } from '../../../exercises/02-weight-init/weight-init.ts';

export { TOL };

/** An implementation of exercise 02: the student's module, the reference, a port. */
export type WeightInitModule = typeof WeightInit;
export const INIT_NAMES = ['xavierInit', 'heInit', 'smallRandomInit'] as const;
export type InitName = (typeof INIT_NAMES)[number];

/**
 * Initializers: W = scale · z with z the generator's standard normal draws in row-major order,
 * so a correct initializer reproduces the reference draw for draw and differs from it only in how
 * the scale is written (z / √fanIn, z · √(1/fanIn), z · √2 / √fanIn): at most 3 ulps, 7e-16
 * relative, under rtol = 1e-7 by 1e8. A wrong scale is off by 1 − 1/√2 or more; a draw out of
 * order or from Math.random by O(1).
 *
 * activationStatistics: the mean and the population std of every layer's activations. Per layer
 * a correct implementation computes h W in some order (γ_D·Σ|h||W| per entry, 7e-15 relative for
 * D = 64), the activation (1 ulp), and two sums over at most a few thousand activations; the
 * errors of earlier layers pass through W and the activation, which can amplify them by at most
 * ‖W‖·max f′ per layer and in practice shrink them (saturated tanh units pass none, the mean and
 * the std average them). Measured between differently ordered implementations over 1000 seeds
 * (`npm run fairness`): below 1e-13 relative, under rtol by 1e6. The typical mistakes are off by
 * 1/(2·N·D) ≥ 1.5e-4 relative (the sample std) or far more.
 */
export const VALUE_TOLERANCE = TOL;

export type InitArgs = { fanIn: number; fanOut: number; seed: string; scale?: number };
export type StatsArgs = { x: Tensor; weights: Tensor[]; activation: Activation };

/** Runs one initializer of `mod` with a fresh `createRng(seed)`; `scale` only when given. */
export function initialize(mod: WeightInitModule, fn: InitName, args: InitArgs): Tensor {
  const rng = createRng(args.seed);
  if (fn === 'smallRandomInit' && args.scale !== undefined) return mod.smallRandomInit(args.fanIn, args.fanOut, rng, args.scale);
  return mod[fn](args.fanIn, args.fanOut, rng);
}

/** The per-layer statistics as two tensors, so a failure names the layer that differs. */
export function asTensors(stats: readonly LayerStatistics[]): { mean: Tensor; std: Tensor } {
  const L = stats.length;
  return {
    mean: { shape: [L], data: Float64Array.from(stats, (s) => s.mean) },
    std: { shape: [L], data: Float64Array.from(stats, (s) => s.std) },
  };
}

/** Per-layer mean and std of `got` against `want`, within VALUE_TOLERANCE. */
export function expectSameStatistics(got: readonly LayerStatistics[], want: { mean: Tensor; std: Tensor } | readonly LayerStatistics[]): void {
  const g = asTensors(got);
  const w = 'mean' in want ? want : asTensors(want);
  expect(g.mean).toBeAllClose(w.mean, { ...VALUE_TOLERANCE, what: 'mean per layer' });
  expect(g.std).toBeAllClose(w.std, { ...VALUE_TOLERANCE, what: 'std per layer' });
}

/** The fixture-driven value tests: every initializer case, then every activationStatistics case. */
export function valueTests(fixture: Fixture, mod: WeightInitModule): void {
  const initCases = INIT_NAMES.flatMap((n) => casesFor<InitArgs, { W: Tensor }>(fixture, n));
  test.for(titled(initCases))('%s', ([, { fn, args, expected }]) => {
    expect(initialize(mod, fn as InitName, args)).toBeAllClose(expected.W, { ...VALUE_TOLERANCE, what: 'W' });
  });

  test.for(titled(casesFor<StatsArgs, { mean: Tensor; std: Tensor }>(fixture, 'activationStatistics')))('%s', ([, { args, expected }]) => {
    expectSameStatistics(mod.activationStatistics(args.x, args.weights, args.activation), expected);
  });
}
