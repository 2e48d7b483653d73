/**
 * Public tests for exercise 01 — activation functions.
 * Run: npm test exercises/01-activations
 *
 * Order: shapes → values against fixtures → properties → gradient checks → bad input.
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, fromNested, linspace, map, mean, ones, randn, reshape, zeros, type Tensor } from '../../lib/index.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { loadFixture } from '../../lib/testing/fixtures.ts';
// The tolerances (and why a correct implementation cannot miss them), the fixture-driven value
// tests and the gradient check live in lib/testing/checks/01-activations.ts.
import { expectBackwardMatchesNumerical, gradientInputs, NAMES, run, TOL, valueTests, type ActivationsModule, type Name } from '../../lib/testing/checks/01-activations.ts';
import * as activations from './activations.ts';

const { reluForward, sigmoidForward, tanhForward } = activations;
const fixture = loadFixture('01-activations');
const rng = createRng('01-activations/public-tests');

/**
 * Each activation as a forward pass returning `out` and a backward pass bound to that forward's
 * cache, so one table drives every shared test. `alpha` is passed only when given, so the
 * defaults (0.01 for leaky ReLU, 1 for ELU) are what the function itself declares.
 */
function unit(name: Name, alpha?: number): { name: Name; run: (x: Tensor) => ReturnType<typeof run>; forward: (x: Tensor) => Tensor } {
  const go = (x: Tensor): ReturnType<typeof run> => run(activations as unknown as ActivationsModule, name, x, alpha);
  return { name, run: go, forward: (x) => go(x).out };
}

/** A [R, C] input of normal draws, at least 0.05 away from 0 so no centred difference straddles a kink. */
function awayFromZero(shape: number[], scale = 2): Tensor {
  return map(randn(shape, rng), (v) => scale * v + (v >= 0 ? 0.05 : -0.05));
}

describe('shapes', () => {
  test.for(NAMES)('%sForward › out has the shape of x, for any shape', (name) => {
    for (const shape of [[5], [2, 3], [2, 3, 4]]) {
      const { out } = unit(name).run(randn(shape, rng));
      expect(out).toHaveShape(shape, 'out');
    }
  });

  test.for(NAMES)('%sBackward › dx has the shape of x', (name) => {
    const x = awayFromZero([3, 4]);
    const dx = unit(name).run(x).backward(randn([3, 4], rng));
    expect(dx).toHaveShape([3, 4], 'dx');
  });
});

describe('values', () => {
  valueTests(fixture, activations as unknown as ActivationsModule);

  test("reluForward › matches CS231n's published test values (linspace(-0.5, 0.5, 12) as [3, 4])", () => {
    // CS231n prints its expected values with 8 significant digits: agreement is to about 1e-8.
    const x = reshape(linspace(-0.5, 0.5, 12), [3, 4]);
    const cs231n = fromNested([
      [0, 0, 0, 0],
      [0, 0, 0.04545455, 0.13636364],
      [0.22727273, 0.31818182, 0.40909091, 0.5],
    ]);
    expect(reluForward(x).out).toBeAllClose(cs231n, { rtol: 1e-7, atol: 1e-8, what: 'out' });
  });
});

describe('properties', () => {
  test('sigmoidForward › squashes into (0, 1), with σ(0) = 1/2 and σ(−x) = 1 − σ(x)', () => {
    const x = linspace(-8, 8, 33);
    const out = sigmoidForward(x).out;
    expect(out.data.every((v) => v > 0 && v < 1), 'every output lies strictly between 0 and 1').toBe(true);
    expect(out.data[16], 'σ(0)').toBeCloseTo(0.5, 15);
    const mirrored = sigmoidForward(map(x, (v) => -v)).out;
    expect(mirrored).toBeAllClose(map(out, (v) => 1 - v), { ...TOL, what: 'σ(−x)' });
  });

  test('sigmoidForward › is not zero-centred: over inputs symmetric around 0 the outputs average 1/2', () => {
    const x = linspace(-5, 5, 101);
    expect(mean(sigmoidForward(x).out).data[0], 'mean of σ(x)').toBeCloseTo(0.5, 12);
  });

  test('sigmoidBackward › saturates: with dout = 1, dx is 1/4 at 0 and σ(10)·(1 − σ(10)) ≈ 4.5e-5 at ±10', () => {
    const dx = unit('sigmoid').run(fromNested([-10, 0, 10])).backward(ones([3]));
    const s10 = 1 / (1 + Math.exp(-10));
    expect(dx).toBeAllClose([s10 * (1 - s10), 0.25, s10 * (1 - s10)], { ...TOL, what: 'σ′ at −10, 0, 10' });
  });

  test('tanhForward › is zero-centred: tanh(−x) = −tanh(x), and tanh(x) = 2σ(2x) − 1', () => {
    const x = linspace(-4, 4, 17);
    const out = tanhForward(x).out;
    expect(tanhForward(map(x, (v) => -v)).out).toBeAllClose(map(out, (v) => -v), { ...TOL, what: 'tanh(−x)' });
    const viaSigmoid = map(sigmoidForward(map(x, (v) => 2 * v)).out, (s) => 2 * s - 1);
    expect(out).toBeAllClose(viaSigmoid, { ...TOL, what: 'tanh(x) against 2σ(2x) − 1' });
  });

  test('tanhBackward › still saturates: with dout = 1, dx is 1 at 0 and below 1e-8 at ±10', () => {
    const dx = unit('tanh').run(fromNested([-10, 0, 10])).backward(ones([3]));
    expect(dx.data[1]).toBeCloseTo(1, 12);
    expect(Math.abs(dx.data[0]!), 'tanh′(−10)').toBeLessThan(1e-8);
    expect(Math.abs(dx.data[2]!), 'tanh′(10)').toBeLessThan(1e-8);
  });

  test('reluBackward › a dead unit (every input negative) passes no gradient, whatever dout is', () => {
    const x = map(randn([4, 3], rng), (v) => -Math.abs(v) - 0.1);
    const dx = unit('relu').run(x).backward(randn([4, 3], rng));
    expect(dx).toBeAllClose(zeros([4, 3]), { rtol: 0, atol: 0, what: 'dx of a dead ReLU' });
  });

  test('reluBackward › passes dout unchanged where x > 0 and gives 0 where x ≤ 0 (0 at exactly x = 0)', () => {
    const x = fromNested([-2, -0.5, 0, 0.5, 2]);
    const dout = fromNested([3, -4, 5, -6, 7]);
    expect(unit('relu').run(x).backward(dout)).toBeAllClose([0, 0, 0, -6, 7], { rtol: 0, atol: 0, what: 'dx' });
  });

  test('leakyReluForward › with alpha = 0 it is exactly ReLU, forward and backward', () => {
    const x = awayFromZero([3, 5]);
    const dout = randn([3, 5], rng);
    const leaky = unit('leakyRelu', 0).run(x);
    const relu = unit('relu').run(x);
    expect(leaky.out).toBeAllClose(relu.out, { ...TOL, what: 'out' });
    expect(leaky.backward(dout)).toBeAllClose(relu.backward(dout), { ...TOL, what: 'dx' });
  });

  test('leakyReluBackward › the slope alpha applies to negative inputs only: dx = alpha · dout there, dout elsewhere', () => {
    const x = fromNested([-3, -1, 1, 3]);
    const dout = fromNested([2, 2, 2, 2]);
    expect(unit('leakyRelu', 0.25).run(x).backward(dout)).toBeAllClose([0.5, 0.5, 2, 2], { ...TOL, what: 'dx' });
  });

  test('leakyReluBackward › at exactly x = 0 the slope is alpha, as for x < 0 (the brief: 1 if x > 0, else alpha)', () => {
    const x = fromNested([-1, 0, 1]);
    expect(unit('leakyRelu', 0.25).run(x).backward(fromNested([4, 4, 4]))).toBeAllClose([1, 1, 4], { ...TOL, what: 'dx' });
  });

  test('eluBackward › at exactly x = 0 the derivative is alpha · e^0 = alpha (the brief: 1 if x > 0, else alpha · e^x)', () => {
    const x = fromNested([0, 0]);
    expect(unit('elu', 2).run(x).backward(fromNested([1, -3]))).toBeAllClose([2, -6], { ...TOL, what: 'dx at x = 0' });
  });

  test('eluForward › is continuous at 0 and saturates at −alpha for very negative inputs', () => {
    const out = unit('elu', 1.5).forward(fromNested([-1e-9, 0, 1e-9, -50]));
    expect(out).toBeAllClose([-1.5e-9, 0, 1e-9, -1.5], { rtol: 1e-6, atol: 1e-15, what: 'ELU near 0 and at −50' });
  });

  test('eluBackward › for x < 0 the derivative alpha · e^x equals out + alpha', () => {
    const x = map(randn([2, 5], rng), (v) => -Math.abs(v) - 0.05);
    const elu = unit('elu', 2).run(x);
    expect(elu.backward(ones([2, 5]))).toBeAllClose(map(elu.out, (v) => v + 2), { ...TOL, what: 'dx with dout = 1' });
  });

  test.for(NAMES.map((n) => [`${n}Forward`, `${n}Backward`, n] as const))('%s › never mutates x, and %s never mutates dout', ([, , name]) => {
    const x = awayFromZero([3, 4]);
    const dout = randn([3, 4], rng);
    const [xBefore, doutBefore] = [clone(x), clone(dout)];
    unit(name).run(x).backward(dout);
    expect(x.data, 'x after the forward and backward pass').toEqual(xBefore.data);
    expect(dout.data, 'dout after the backward pass').toEqual(doutBefore.data);
  });
});

describe('gradients', () => {
  // Inputs with 0.05 ≤ |x| ≤ 4, where f′ is not tiny: see GRAD_MAX_REL_ERROR for the derivation.
  const checks: [Name, number | undefined][] = [...NAMES.map((n): [Name, undefined] => [n, undefined]), ['leakyRelu', 0.1], ['elu', 2]];
  test.for(checks.map(([name, alpha]) => [`${name}Backward`, alpha === undefined ? '' : 'with a custom alpha ', name, alpha] as const))(
    '%s › %sdx matches the numerical gradient of the forward pass',
    ([, , name, alpha]) => {
      const { x, dout } = gradientInputs(rng, [4, 5]);
      expectBackwardMatchesNumerical(activations as unknown as ActivationsModule, name, x, dout, alpha);
    },
  );
});

describe('bad input', () => {
  test.for(NAMES)("%sBackward › a 'dout' whose shape differs from x's is a RangeError naming both shapes", (name) => {
    const { backward } = unit(name).run(awayFromZero([2, 3]));
    expectInputError(() => backward(zeros([3, 2])), { fn: `${name}Backward`, arg: 'dout', shapes: [[2, 3], [3, 2]] });
  });
});
