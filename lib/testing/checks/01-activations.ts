/**
 * Exercise 01's checks, shared by the public suite and the grader's hidden one: the tolerances
 * and why a correct implementation cannot miss them, the fixture-driven value tests (each suite
 * passes its own fixture), and the gradient check. Nothing here names a hidden case.
 */
import { expect, test } from 'vitest';
import { map, rand, randn, type Rng, type Tensor } from '../../index.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import { extrapolatedGradientOf } from '../gradcheck.ts';
import { expectGradientClose, TOL } from './common.ts';
import type * as Activations from '../../../exercises/01-activations/activations.ts';

export { TOL };

/** An implementation of exercise 01: the student's module, the reference, a port. */
export type ActivationsModule = typeof Activations;

export const NAMES = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu'] as const;
export type Name = (typeof NAMES)[number];

/**
 * Value checks use `TOL` (|got − expected| ≤ 1e-10 + 1e-7·|expected|). Every function here is
 * elementwise: out and dx are a handful of operations on one element, so two correct ways of
 * writing them (two branches of σ, tanh as 2σ(2x) − 1, α(eˣ − 1) or α·expm1(x), σ′ from the output
 * or from x) differ by at most ~8 ulps of the largest number involved, ≈ 2e-15·(1 + |value|)·|dout|.
 * With |dout| ≤ 5 that is ≤ 1e-14 + 1e-14·|value|: under atol by 1e4 and under rtol by 1e7. The
 * typical mistakes are off by a factor (α missing, 1 − t instead of 1 − t²) or by NaN.
 */
export const VALUE_TOLERANCE = TOL;

/**
 * Gradient checks: dx of your backward pass against `extrapolatedGradientOf` the forward pass
 * (h = 1e-3 and 2e-3), on inputs with 0.05 ≤ |x| ≤ 4 (`gradientInputs`). The activations are
 * elementwise, so perturbing x_i moves out_i only and dout_i cancels out of entry i's relative
 * error: |f′(x) − R(x)| / 2|f′(x)|, with R the extrapolated difference quotient of f.
 *   - truncation: h⁴·|f⁽⁵⁾|/30 ≤ 1e-12·16/30 ≈ 5e-13 (tanh⁽⁵⁾ peaks at 16; σ⁽⁵⁾ and α·eˣ are smaller);
 *   - rounding: 1.5·δ/h, δ the rounding of one f(x ± h), at most ~8 ulps of max(1, |f|) for any
 *     correct way of writing f (two branches of σ, tanh as 2σ(2x) − 1, α(eˣ − 1)): ≈ 1e-15, so
 *     ≤ 1.5e-12; for the ReLUs the quotient is exact but for the rounding of x ± h, ≤ 4u/h ≈ 5e-13.
 * The smallest f′ on the range is tanh′(4) = 1.3e-3 (σ′(4) = 1.8e-2, ELU's α·e⁻⁴ = 1.8e-2·α, the
 * ReLUs' 1 or α), so a correct backward pass stays below (5e-13 + 1.5e-12) / 2.6e-3 ≈ 8e-10 (ELU
 * and σ below 5e-11). The bound 1e-6 leaves a factor of 1000; a wrong derivative (1 − t for 1 − t²,
 * out for out + α, the default α for the forward's) is off by 1e-2 or far more.
 */
export const GRAD_MAX_REL_ERROR = 1e-6;

interface Run {
  out: Tensor;
  backward: (dout: Tensor) => Tensor;
}

/** Runs one activation of `mod` on `x`; `alpha` is passed only when given, so defaults stay the function's own. */
export function run(mod: ActivationsModule, name: Name, x: Tensor, alpha?: number): Run {
  const forward = mod[`${name}Forward`] as (x: Tensor, alpha?: number) => { out: Tensor; cache: unknown };
  const backward = mod[`${name}Backward`] as (dout: Tensor, cache: unknown) => Tensor;
  const { out, cache } = alpha === undefined ? forward(x) : forward(x, alpha);
  return { out, backward: (dout) => backward(dout, cache) };
}

/** The forward pass's arguments as data: `[x]`, or `[x, alpha]` when alpha is given. */
function forwardArgs(x: Tensor, alpha?: number): [Tensor] | [Tensor, number] {
  return alpha === undefined ? [x] : [x, alpha];
}

/**
 * Inputs of a gradient check: x with 0.05 ≤ |x| ≤ 4, either sign (no centred difference straddles
 * the kink at 0, and tanh′, σ′ stay ≥ 1.3e-3, so the relative error stays meaningful), and dout
 * standard normal.
 */
export function gradientInputs(rng: Rng, shape: readonly number[]): { x: Tensor; dout: Tensor } {
  const magnitude = rand(shape, rng, 0.05, 4);
  const x = map(magnitude, (v) => (rng.uniform() < 0.5 ? -v : v));
  return { x, dout: randn(shape, rng) };
}

/**
 * dx of `mod`'s backward pass (with `mod`'s own cache) against the extrapolated numerical gradient
 * of `numericalOf`'s forward pass (`mod` itself in the public suite; the reference in the hidden
 * one, so a forward mistake is not counted twice).
 */
export function expectBackwardMatchesNumerical(mod: ActivationsModule, name: Name, x: Tensor, dout: Tensor, alpha?: number, numericalOf: ActivationsModule = mod): void {
  const dx = run(mod, name, x, alpha).backward(dout);
  const forward = numericalOf[`${name}Forward`] as (x: Tensor, alpha?: number) => { out: Tensor };
  const dxNum = extrapolatedGradientOf(forward, forwardArgs(x, alpha), { wrt: 0, output: ['out'], dout });
  expectGradientClose(dx, dxNum, GRAD_MAX_REL_ERROR, 'dx');
}

type Args = { x: Tensor; dout?: Tensor; alpha?: number };
const nameOf = (fn: string): Name => fn.replace(/(Forward|Backward)$/, '') as Name;

/** The fixture-driven value tests: every forward case, then every backward case, of `fixture`. */
export function valueTests(fixture: Fixture, mod: ActivationsModule): void {
  const forwardCases = NAMES.flatMap((n) => casesFor<Args, { out: Tensor }>(fixture, `${n}Forward`));
  test.for(titled(forwardCases))('%s', ([, { fn, args, expected, tolerance }]) => {
    const { out } = run(mod, nameOf(fn), args.x, args.alpha);
    expect(out).toBeAllClose(expected.out, { ...(tolerance ?? VALUE_TOLERANCE), what: 'out' });
  });

  const backwardCases = NAMES.flatMap((n) => casesFor<Args, { dx: Tensor }>(fixture, `${n}Backward`));
  test.for(titled(backwardCases))('%s', ([, { fn, args, expected, tolerance }]) => {
    // Your own forward pass makes the cache: its contents are your design.
    const dx = run(mod, nameOf(fn), args.x, args.alpha).backward(args.dout!);
    expect(dx).toBeAllClose(expected.dx, { ...(tolerance ?? VALUE_TOLERANCE), what: 'dx' });
  });
}
