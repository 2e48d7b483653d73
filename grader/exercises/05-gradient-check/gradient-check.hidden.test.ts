/**
 * Hidden suite for exercise 05 — gradient checking. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * The functions f come from the shared tables of lib/testing/functions.ts.
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, isNotImplementedError, map, matmul, randn, transpose, zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import { gradCheckSparse, numericalGradient, numericalGradientArray, relError, type SparseCheck } from '../../../exercises/05-gradient-check/gradient-check.ts';
import * as reference from '../../../solutions/05-gradient-check/gradient-check.ts';
import {
  arrayFunctions,
  quadraticGradient,
  scalarFunctions,
  softmaxLoss,
  sumCubes,
  softmaxLossGradient,
  type Params,
} from '../../../lib/testing/functions.ts';
import { variantRng } from '../variants.ts';

const fixture = loadFixture('05-gradient-check', 'hidden');
/** Same tolerances as the public suite: the same evaluations agree to a few ulps; a forward difference is off by ≥ 1e-6. */
const TOL = { rtol: 1e-7, atol: 1e-10 };

const at = (index: readonly number[]): string => `[${index.join(', ')}]`;

/** Records a copy of every tensor f sees; f itself is Σ (i + 1) x_i², which couples nothing. */
function recording(calls: Tensor[]): (x: Tensor) => number {
  return (x) => {
    calls.push({ shape: [...x.shape], data: x.data.slice() });
    return x.data.reduce((s, v, i) => s + (i + 1) * v * v, 0);
  };
}

/** Runs `run`, which must let through the error f throws on its `n`-th call; x must come back intact. */
function expectRestoredAfterThrow(x: Tensor, run: (throwOn: (n: number) => () => void) => unknown): void {
  const before = clone(x);
  let thrown: unknown;
  try {
    run((n) => {
      let calls = 0;
      return () => {
        if (++calls === n) throw new Error('f failed on purpose');
      };
    });
  } catch (error) {
    thrown = error;
  }
  if (isNotImplementedError(thrown)) throw thrown;
  expect(thrown instanceof Error ? thrown.message : thrown, 'the error thrown by f should reach the caller').toBe('f failed on purpose');
  expect(x.data, 'x after f threw').toEqual(before.data);
}

describe('shapes', () => {
  test('numericalGradient › shape-scalar: a rank-0 x (shape []) gives a rank-0 gradient', () => {
    const g = numericalGradient(sumCubes, { shape: [], data: Float64Array.of(2) });
    expect(g.shape).toEqual([]);
    expect(g.data.length).toBe(1);
  });

  test('numericalGradientArray › shape-rank-change: f from [2, 3, 2] to [5] gives dx [2, 3, 2]', () => {
    const rng = variantRng('05-gradient-check/shape-rank-change');
    const W = randn([12, 5], rng);
    const f = (x: Tensor): Tensor => {
      const out = matmul({ shape: [1, 12], data: x.data }, W);
      return { shape: [5], data: out.data };
    };
    expect(numericalGradientArray(f, randn([2, 3, 2], rng), randn([5], rng)).shape).toEqual([2, 3, 2]);
  });

  test('gradCheckSparse › shape-rank-4: every index of an [2, 1, 3, 2] x has 4 in-range coordinates', () => {
    const rng = variantRng('05-gradient-check/shape-rank-4');
    const x = randn([2, 1, 3, 2], rng);
    const checks = gradCheckSparse(sumCubes, x, map(x, (v) => 3 * v * v), 9, createRng('rank-4'));
    expect(checks).toHaveLength(9);
    for (const c of checks) {
      expect(c.index).toHaveLength(4);
      c.index.forEach((i, k) => expect(Number.isInteger(i) && i >= 0 && i < x.shape[k]!, `coordinate ${k} of ${at(c.index)}`).toBe(true));
    }
  });

  test('gradCheckSparse › shape-zero-checks: numChecks = 0 gives an empty list', () => {
    const x = randn([3], createRng('zero-checks'));
    expect(gradCheckSparse(sumCubes, x, x, 0, createRng('zero-checks'))).toEqual([]);
  });
});

describe('values', () => {
  type GradientArgs = { f: string; params: Params; x: Tensor; h?: number };
  test.for(titled(casesFor<GradientArgs, { grad: Tensor }>(fixture, 'numericalGradient')))('%s', ([, { args, expected }]) => {
    expect(numericalGradient(scalarFunctions[args.f]!(args.params), args.x, args.h)).toBeAllClose(expected.grad, { ...TOL, what: 'gradient' });
  });

  type ArrayArgs = GradientArgs & { dout: Tensor };
  test.for(titled(casesFor<ArrayArgs, { dx: Tensor }>(fixture, 'numericalGradientArray')))('%s', ([, { args, expected }]) => {
    expect(numericalGradientArray(arrayFunctions[args.f]!(args.params), args.x, args.dout, args.h)).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
  });

  test.for(titled(casesFor<{ a: Tensor | number; b: Tensor | number }, { relError: number }>(fixture, 'relError')))('%s', ([, { args, expected }]) => {
    expect(relError(args.a, args.b)).toBeAllClose(expected.relError, { ...TOL, what: 'relError' });
  });

  type SparseArgs = GradientArgs & { analyticGrad: Tensor; numChecks: number; seed: string };
  test.for(titled(casesFor<SparseArgs, { checks: SparseCheck[] }>(fixture, 'gradCheckSparse')))('%s', ([, { args, expected }]) => {
    const checks = gradCheckSparse(scalarFunctions[args.f]!(args.params), args.x, args.analyticGrad, args.numChecks, createRng(args.seed), args.h);
    expect(checks).toHaveLength(expected.checks.length);
    checks.forEach((c, i) => {
      const want = expected.checks[i]!;
      expect(c.index, `index of check ${i}`).toEqual(want.index);
      expect(c.numerical).toBeAllClose(want.numerical, { ...TOL, what: `numerical of check ${i}` });
      expect(c.analytic).toBeAllClose(want.analytic, { rtol: 0, atol: 0, what: `analytic of check ${i}` });
      expect(c.relError).toBeAllClose(want.relError, { rtol: 1e-6, atol: 1e-9, what: `relError of check ${i}` });
    });
  });
});

describe('properties', () => {
  test('numericalGradient › evaluation-points-rank-3: f only ever sees x with at most one element moved by ±h, and both sides of every element', () => {
    const rng = variantRng('05-gradient-check/evaluation-points');
    const x = randn([2, 2, 3], rng);
    const h = 1e-4;
    const original = clone(x);
    const calls: Tensor[] = [];
    numericalGradient(recording(calls), x, h);
    const sides = new Set<string>();
    for (const call of calls) {
      expect(call.shape).toEqual([2, 2, 3]);
      const moved = [...call.data.keys()].filter((i) => call.data[i] !== original.data[i]);
      expect(moved.length, 'elements moved from x in one evaluation').toBeLessThanOrEqual(1);
      if (moved.length === 1) {
        const step = call.data[moved[0]!]! - original.data[moved[0]!]!;
        expect(Math.abs(Math.abs(step) - h), 'size of the step').toBeLessThan(1e-12);
        sides.add(`${moved[0]}${step > 0 ? '+' : '-'}`);
      }
    }
    expect(sides.size, 'distinct points x ± h·e_i evaluated (2 per element)').toBe(2 * x.data.length);
  });

  test('numericalGradient › x-unchanged-coupled: x is bit-for-bit unchanged after a 4 × 5 gradient of a coupled quadratic', () => {
    const rng = variantRng('05-gradient-check/x-unchanged');
    const x = randn([4, 5], rng);
    const before = clone(x);
    numericalGradient(scalarFunctions['quadratic']!({ A: randn([20, 20], rng), b: randn([20], rng) }), x);
    expect(x.shape).toEqual([4, 5]);
    expect(x.data).toEqual(before.data);
  });

  test('numericalGradient › x-unchanged-on-first-throw: x is unchanged when f throws on its very first call', () => {
    const x = randn([3], createRng('first-throw'));
    expectRestoredAfterThrow(x, (throwOn) => {
      const fail = throwOn(1);
      return numericalGradient((v) => (fail(), sumCubes(v)), x);
    });
  });

  test('numericalGradientArray › array-x-unchanged-on-throw: x is unchanged when f throws at x − h·e_0', () => {
    const x = randn([2, 2], createRng('array-throw'));
    expectRestoredAfterThrow(x, (throwOn) => {
      const fail = throwOn(2);
      return numericalGradientArray((v) => (fail(), map(v, Math.sin)), x, randn([2, 2], createRng('array-throw-dout')));
    });
  });

  test('gradCheckSparse › sparse-x-unchanged-on-throw: x is unchanged when f throws in the middle of the checks', () => {
    const x = randn([3, 2], createRng('sparse-throw'));
    expectRestoredAfterThrow(x, (throwOn) => {
      const fail = throwOn(6);
      return gradCheckSparse((v) => (fail(), sumCubes(v)), x, zeros([3, 2]), 5, createRng('sparse-throw'));
    });
  });

  test("numericalGradientArray › identity-rank-3: the identity's dx is dout, however f's output shares memory", () => {
    const rng = variantRng('05-gradient-check/identity');
    const dout = randn([2, 2, 3], rng);
    expect(numericalGradientArray((v) => v, randn([2, 2, 3], rng), dout)).toBeAllClose(dout, { rtol: 1e-8, atol: 1e-10, what: 'dx' });
    // A view of the argument under another shape, as reshape-free code often returns.
    const flatView = (v: Tensor): Tensor => ({ shape: [12], data: v.data });
    expect(numericalGradientArray(flatView, randn([2, 2, 3], rng), { shape: [12], data: dout.data })).toBeAllClose(dout, { rtol: 1e-8, atol: 1e-10, what: 'dx of a flattening view' });
  });

  test('numericalGradientArray › dout-unchanged: dout is not modified', () => {
    const rng = variantRng('05-gradient-check/dout-unchanged');
    const dout = randn([3, 2], rng);
    const before = clone(dout);
    numericalGradientArray((v) => map(v, Math.tanh), randn([3, 2], rng), dout);
    expect(dout.data).toEqual(before.data);
  });

  test('relError › floor-boundary: below 1e-8 the floor divides: relError(5e-9, 0) = 0.5 and relError(2e-8, 0) = 1', () => {
    expect(relError(5e-9, 0)).toBeAllClose(0.5, { rtol: 1e-12, atol: 0, what: 'relError(5e-9, 0)' });
    expect(relError(2e-8, 0)).toBeAllClose(1, { rtol: 1e-12, atol: 0, what: 'relError(2e-8, 0)' });
    expect(relError({ shape: [2], data: Float64Array.of(0, 1e-13) }, { shape: [2], data: Float64Array.of(0, 0) })).toBeAllClose(1e-5, {
      rtol: 1e-12,
      atol: 0,
      what: 'relError([0, 1e-13], [0, 0])',
    });
  });

  test('relError › nan-anywhere: a NaN in the last element of either argument gives NaN', () => {
    const a = randn([6], createRng('nan'));
    const b = clone(a);
    b.data[5] = NaN;
    expect(relError(a, b)).toBeNaN();
    expect(relError(b, a)).toBeNaN();
    expect(relError(NaN, 1)).toBeNaN();
  });

  test('relError › symmetric-and-bounded: symmetric, between 0 and 1, and 1 for opposite signs', () => {
    const rng = variantRng('05-gradient-check/rel-error-bounds');
    const a = randn([10], rng);
    const b = randn([10], rng);
    const r = relError(a, b);
    expect(relError(b, a)).toBe(r);
    expect(r).toBeGreaterThanOrEqual(0);
    expect(r).toBeLessThanOrEqual(1);
    expect(relError(a, map(a, (v) => -v))).toBeAllClose(1, { rtol: 1e-12, atol: 0, what: 'relError(a, −a)' });
  });

  test('gradCheckSparse › default-seed-deterministic: without rng, two calls check the same indices', () => {
    const x = randn([5, 4, 3], createRng('default-seed'));
    const g = map(x, (v) => 3 * v * v);
    const first = gradCheckSparse(sumCubes, x, g, 12);
    expect(first).toHaveLength(12);
    expect(gradCheckSparse(sumCubes, x, g, 12)).toEqual(first);
  });

  test('gradCheckSparse › every-index-reachable: 100 checks on a [2, 3] x visit all 6 elements', () => {
    const x = randn([2, 3], createRng('reachable'));
    // NOTE: each check is 2 calls of f, each a round trip out of the sandbox when grading: keep it small.
    const checks = gradCheckSparse(sumCubes, x, map(x, (v) => 3 * v * v), 100, createRng('reachable'));
    // Each element is drawn with probability 1/6 per check; missing one in 100 draws has probability ≈ 7e-8.
    const seen = new Set(checks.map((c) => at(c.index)));
    expect(seen.size, 'distinct indices checked (the last row or column must be reachable)').toBe(6);
  });

  test('gradCheckSparse › analytic-at-index: the analytic value is analyticGrad at the checked multi-index of a rank-3 x', () => {
    const rng = variantRng('05-gradient-check/analytic-at-index');
    const x = randn([3, 4, 2], rng);
    const analytic = map(x, (_, k) => k + 1); // every element distinct
    for (const c of gradCheckSparse(sumCubes, x, analytic, 15, createRng('analytic-at-index'))) {
      const offset = (c.index[0]! * 4 + c.index[1]!) * 2 + c.index[2]!;
      expect(c.analytic, `analytic at ${at(c.index)}`).toBe(offset + 1);
      expect(c.numerical).toBeAllClose(3 * x.data[offset]! ** 2, { rtol: 1e-7, atol: 1e-9, what: `numerical at ${at(c.index)}` });
    }
  });
});

describe('gradients', () => {
  test('numericalGradient › softmax-analytic-larger: the softmax loss of W [5, 4] on 16 examples matches Xᵀ(P − Y)/N (relative error < 1e-6)', () => {
    const rng = variantRng('05-gradient-check/softmax-larger');
    const X = randn([16, 5], rng);
    const y = { shape: [16], data: Float64Array.from({ length: 16 }, () => rng.randint(0, 4)) };
    const W = map(randn([5, 4], rng), (v) => 0.2 * v);
    expect(relError(numericalGradient((w) => softmaxLoss(X, y, w), W), softmaxLossGradient(X, y, W))).toBeLessThan(1e-6);
  });

  test('numericalGradient › cubes-analytic-rank-3: Σ x³ on [2, 3, 2] away from 0 gives 3x² to 1e-8 relative', () => {
    const rng = variantRng('05-gradient-check/cubes-rank-3');
    const x = map(randn([2, 3, 2], rng), (v) => (v >= 0 ? 0.5 + v : v - 0.5));
    expect(relError(numericalGradient(sumCubes, x), map(x, (v) => 3 * v * v))).toBeLessThan(1e-8);
  });

  test('numericalGradient › quadratic-analytic: a coupled quadratic in 10 variables gives ½(A + Aᵀ)x + b', () => {
    const rng = variantRng('05-gradient-check/quadratic');
    const params = { A: randn([10, 10], rng), b: randn([10], rng) };
    const x = randn([10], rng);
    expect(numericalGradient(scalarFunctions['quadratic']!(params), x)).toBeAllClose(quadraticGradient(params.A, params.b, x), {
      rtol: 1e-6,
      atol: 1e-8,
      what: 'gradient of the quadratic',
    });
  });

  test('numericalGradientArray › tanh-layer-analytic: f(W) = tanh(x W) gives dW = xᵀ (dout ⊙ (1 − tanh²(x W)))', () => {
    const rng = variantRng('05-gradient-check/tanh-layer');
    const x = randn([6, 4], rng);
    const W = map(randn([4, 3], rng), (v) => 0.5 * v);
    const dout = randn([6, 3], rng);
    const z = matmul(x, W);
    const expected = matmul(transpose(x), map(z, (v, k) => dout.data[k]! * (1 - Math.tanh(v) ** 2)));
    expect(relError(numericalGradientArray((w) => map(matmul(x, w), Math.tanh), W, dout), expected)).toBeLessThan(1e-7);
  });

  test('gradCheckSparse › softmax-correct-all-pass: a correct softmax gradient passes 20 checks below 1e-6', () => {
    const rng = variantRng('05-gradient-check/sparse-softmax');
    const X = randn([10, 4], rng);
    const y = { shape: [10], data: Float64Array.from({ length: 10 }, () => rng.randint(0, 3)) };
    const W = map(randn([4, 3], rng), (v) => 0.3 * v);
    for (const c of gradCheckSparse((w) => softmaxLoss(X, y, w), W, softmaxLossGradient(X, y, W), 20, createRng('softmax'))) {
      expect(c.relError, `relError at ${at(c.index)}`).toBeLessThan(1e-6);
    }
  });
});

describe('bad input', () => {
  const x = randn([2, 3], createRng('05-gradient-check/bad-input'));

  test("numericalGradient › rejects-nan-h: h = NaN is a RangeError naming 'h'", () => {
    expectInputError(() => numericalGradient(sumCubes, x, NaN), { fn: 'numericalGradient', arg: 'h' });
  });

  test("numericalGradientArray › rejects-zero-h: h = 0 is a RangeError naming 'h'", () => {
    expectInputError(() => numericalGradientArray((v) => v, x, x, 0), { fn: 'numericalGradientArray', arg: 'h' });
  });

  test("numericalGradientArray › rejects-dout-flat: a 'dout' [6] for an f(x) of shape [2, 3] is a RangeError naming both shapes", () => {
    expectInputError(() => numericalGradientArray((v) => map(v, Math.sin), x, zeros([6])), { fn: 'numericalGradientArray', arg: 'dout', shapes: [[2, 3], [6]] });
  });

  test('relError › rejects-different-lengths: tensors [3] and [4] are a RangeError naming both shapes', () => {
    expectInputError(() => relError(zeros([3]), zeros([4])), { fn: 'relError', shapes: [[3], [4]] });
  });

  test("gradCheckSparse › rejects-transposed-gradient: an 'analyticGrad' [3, 2] for x [2, 3] is a RangeError naming both shapes", () => {
    expectInputError(() => gradCheckSparse(sumCubes, x, zeros([3, 2])), { fn: 'gradCheckSparse', arg: 'analyticGrad', shapes: [[2, 3], [3, 2]] });
  });

  test("gradCheckSparse › rejects-negative-h: h = −1e-5 is a RangeError naming 'h'", () => {
    expectInputError(() => gradCheckSparse(sumCubes, x, x, 3, createRng('h'), -1e-5), { fn: 'gradCheckSparse', arg: 'h' });
  });
});

describe('variants', () => {
  const rng = variantRng('05-gradient-check');
  const n = 3 + rng.randint(0, 6);
  const quadratic = { A: randn([n, n], rng), b: randn([n], rng) };
  const xq = randn([n], rng);
  const N = 4 + rng.randint(0, 5);
  const D = 2 + rng.randint(0, 3);
  const K = 2 + rng.randint(0, 3);
  const softmax = { X: randn([N, D], rng), y: { shape: [N], data: Float64Array.from({ length: N }, () => rng.randint(0, K)) } };
  const W = map(randn([D, K], rng), (v) => 0.5 * v);
  const affine = { W: randn([D, K], rng), b: randn([K], rng) };
  const xa = randn([N, D], rng);
  const dout = randn([N, K], rng);
  const seed = `${rng.seed}/sparse`;

  test('numericalGradient › variant-quadratic: the gradient of your personal quadratic', () => {
    const f = scalarFunctions['quadratic']!(quadratic);
    expect(numericalGradient(f, xq)).toBeAllClose(reference.numericalGradient(f, xq), { ...TOL, what: 'gradient' });
  });

  test('numericalGradient › variant-softmax: the gradient of your personal softmax loss', () => {
    const f = scalarFunctions['softmaxLoss']!(softmax);
    expect(numericalGradient(f, W)).toBeAllClose(reference.numericalGradient(f, W), { ...TOL, what: 'gradient' });
  });

  test('numericalGradientArray › variant-affine: dx of your personal affine layer', () => {
    const f = arrayFunctions['affine']!(affine);
    expect(numericalGradientArray(f, xa, dout)).toBeAllClose(reference.numericalGradientArray(f, xa, dout), { ...TOL, what: 'dx' });
  });

  test('relError › variant-tensors: the relative error of your personal pair of tensors', () => {
    const b = map(xa, (v, k) => v * (1 + 0.05 * Math.sin(k)));
    expect(relError(xa, b)).toBeAllClose(reference.relError(xa, b), { ...TOL, what: 'relError' });
  });

  test('gradCheckSparse › variant-sparse: your personal seeded checks of a slightly wrong softmax gradient', () => {
    const f = scalarFunctions['softmaxLoss']!(softmax);
    const analytic = map(softmaxLossGradient(softmax.X, softmax.y, W), (v, k) => v * (1 + 0.01 * ((k % 3) + 1)));
    const got = gradCheckSparse(f, W, analytic, 8, createRng(seed));
    const want = reference.gradCheckSparse(f, W, analytic, 8, createRng(seed));
    expect(got.map((c) => c.index), 'indices').toEqual(want.map((c) => c.index));
    got.forEach((c, i) => {
      expect(c.numerical).toBeAllClose(want[i]!.numerical, { ...TOL, what: `numerical of check ${i}` });
      expect(c.relError).toBeAllClose(want[i]!.relError, { rtol: 1e-6, atol: 1e-9, what: `relError of check ${i}` });
    });
  });
});
