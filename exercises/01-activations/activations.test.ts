/**
 * Public tests for exercise 01 — activation functions.
 * Run: npm test exercises/01-activations
 *
 * Order: shapes → values against fixtures → properties → gradient checks → bad input.
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, fromNested, linspace, map, mean, ones, randn, reshape, zeros, type Tensor } from '../../lib/index.ts';
import { evalNumericalGradientArray, relError } from '../../lib/testing/gradcheck.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../lib/testing/fixtures.ts';
import {
  eluBackward,
  eluForward,
  leakyReluBackward,
  leakyReluForward,
  reluBackward,
  reluForward,
  sigmoidBackward,
  sigmoidForward,
  tanhBackward,
  tanhForward,
} from './activations.ts';

const fixture = loadFixture('01-activations');

/** Float64 arithmetic in another order differs by ~1e-15; 1e-7 leaves room for that and nothing else. */
const TOL = { rtol: 1e-7, atol: 1e-10 };
/**
 * Gradient checks: centred differences with h = 1e-5 carry O(h²) ≈ 1e-10 truncation plus ~1e-11
 * rounding, so a correct backward pass lands around 1e-9 or below (CS231n expects 1e-8 or less).
 * 1e-6 is a margin, not a target; a wrong derivative is off by 1e-2 or more.
 */
const GRAD_MAX_REL_ERROR = 1e-6;

const rng = createRng('01-activations/public-tests');

/**
 * Each activation as a forward pass returning `out` and a backward pass bound to that forward's
 * cache, so one table drives every shared test. `alpha` is passed only when given, so the
 * defaults (0.01 for leaky ReLU, 1 for ELU) are what the function itself declares.
 */
interface Unit {
  name: string;
  forward: (x: Tensor) => Tensor;
  run: (x: Tensor) => { out: Tensor; backward: (dout: Tensor) => Tensor };
}

function unit(name: string, alpha?: number): Unit {
  const run = (x: Tensor): { out: Tensor; backward: (dout: Tensor) => Tensor } => {
    switch (name) {
      case 'sigmoid': {
        const { out, cache } = sigmoidForward(x);
        return { out, backward: (d) => sigmoidBackward(d, cache) };
      }
      case 'tanh': {
        const { out, cache } = tanhForward(x);
        return { out, backward: (d) => tanhBackward(d, cache) };
      }
      case 'relu': {
        const { out, cache } = reluForward(x);
        return { out, backward: (d) => reluBackward(d, cache) };
      }
      case 'leakyRelu': {
        const { out, cache } = alpha === undefined ? leakyReluForward(x) : leakyReluForward(x, alpha);
        return { out, backward: (d) => leakyReluBackward(d, cache) };
      }
      case 'elu': {
        const { out, cache } = alpha === undefined ? eluForward(x) : eluForward(x, alpha);
        return { out, backward: (d) => eluBackward(d, cache) };
      }
      default:
        throw new Error(`unknown activation ${name}`);
    }
  };
  return { name, run, forward: (x) => run(x).out };
}

const NAMES = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu'] as const;
const UNITS = NAMES.map((n) => unit(n));

/** A [R, C] input of normal draws, at least 0.05 away from 0 so no centred difference straddles a kink. */
function awayFromZero(shape: number[], scale = 2): Tensor {
  return map(randn(shape, rng), (v) => scale * v + (v >= 0 ? 0.05 : -0.05));
}

type Args = { x: Tensor; dout?: Tensor; alpha?: number };

describe('shapes', () => {
  test.for(NAMES)('%sForward › out has the shape of x, for any shape', (name) => {
    for (const shape of [[5], [2, 3], [2, 3, 4]]) {
      const { out } = unit(name).run(randn(shape, rng));
      expect(out.shape).toEqual(shape);
      expect(out.data).toBeInstanceOf(Float64Array);
    }
  });

  test.for(NAMES)('%sBackward › dx has the shape of x', (name) => {
    const x = awayFromZero([3, 4]);
    const dx = unit(name).run(x).backward(randn([3, 4], rng));
    expect(dx.shape).toEqual([3, 4]);
    expect(dx.data).toBeInstanceOf(Float64Array);
  });
});

describe('values', () => {
  const forwardCases = NAMES.flatMap((n) => casesFor<Args, { out: Tensor }>(fixture, `${n}Forward`));
  test.for(titled(forwardCases))('%s', ([, { fn, args, expected }]) => {
    const { out } = unit(fn.replace(/Forward$/, ''), args.alpha).run(args.x);
    expect(out).toBeAllClose(expected.out, { ...TOL, what: 'out' });
  });

  const backwardCases = NAMES.flatMap((n) => casesFor<Args, { dx: Tensor }>(fixture, `${n}Backward`));
  test.for(titled(backwardCases))('%s', ([, { fn, args, expected }]) => {
    // Your own forward pass makes the cache: its contents are your design.
    const dx = unit(fn.replace(/Backward$/, ''), args.alpha).run(args.x).backward(args.dout!);
    expect(dx).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
  });

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
  const checks = [...UNITS, unit('leakyRelu', 0.1), unit('elu', 2)];
  test.for(checks.map((u, i) => [`${u.name}Backward`, i === 5 || i === 6 ? 'with a custom alpha ' : '', u] as const))(
    '%s › %sdx matches the numerical gradient of the forward pass',
    ([, , u]) => {
      const x = awayFromZero([4, 5]);
      const dout = randn([4, 5], rng);
      const dx = u.run(x).backward(dout);
      const dxNum = evalNumericalGradientArray(u.forward, x, dout);
      expect(relError(dx, dxNum), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
    },
  );
});

describe('bad input', () => {
  test.for(NAMES)("%sBackward › a 'dout' whose shape differs from x's is a RangeError naming both shapes", (name) => {
    const { backward } = unit(name).run(awayFromZero([2, 3]));
    expectInputError(() => backward(zeros([3, 2])), { fn: `${name}Backward`, arg: 'dout', shapes: [[2, 3], [3, 2]] });
  });
});
