/**
 * Public tests for exercise 05 — gradient checking.
 * Run: npm test exercises/05-gradient-check
 *
 * Order: shapes → values against fixtures → properties → gradients (your numerical gradients
 * against gradients known in closed form) → bad input. The functions f used below are written out
 * in this file; the fixture cases name them.
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, isNotImplementedError, map, matmul, rand, randn, transpose, zeros, type Tensor } from '../../lib/index.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { loadFixture } from '../../lib/testing/fixtures.ts';
import { arrayFunctions, failingOnCall, recorded, scalarFunctions, softmaxLossGradient, sumCubes } from '../../lib/testing/functions.ts';
// The tolerances (and why a correct implementation cannot miss them), the fixture-driven value
// tests and the well-conditioned problems live in lib/testing/checks/05-gradient-check.ts.
import { matmulProblem, softmaxProblem, valueTests, type GradientCheckModule } from '../../lib/testing/checks/05-gradient-check.ts';
import * as gradientCheck from './gradient-check.ts';
import { gradCheckSparse, numericalGradient, numericalGradientArray, relError } from './gradient-check.ts';

const fixture = loadFixture('05-gradient-check');
const rng = createRng('05-gradient-check/public-tests');

/** Points away from 0, where 3x² is not tiny and a forward difference's error h/x shows. */
const awayFromZero = (): Tensor => ({ shape: [2, 3], data: Float64Array.of(0.5, -1, 1.5, 2, -0.75, 1.25) });

/**
 * The functions f come from lib/testing/functions.ts (the grader runs them next to your code):
 * `recorded(f)` keeps a copy of every x it is called with in `.calls`, and `failingOnCall(f, n)`
 * throws Error('f failed on purpose') on its n-th call, after your code has perturbed x.
 */
const weightedSquares = scalarFunctions['weightedSquares']!;

/** Runs `run`, which must let the error thrown by f through (a stub's "not implemented" stays as it is). */
function expectErrorOfF(run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  if (isNotImplementedError(thrown)) throw thrown;
  expect(thrown instanceof Error ? thrown.message : thrown, 'the error thrown by f should reach the caller').toBe('f failed on purpose');
}

describe('shapes', () => {
  test('numericalGradient › returns a tensor of the shape of x (here rank 3)', () => {
    const grad = numericalGradient(sumCubes, randn([2, 3, 2], rng));
    expect(grad).toHaveShape([2, 3, 2], 'gradient');
  });

  test("numericalGradientArray › returns a tensor of the shape of x, not of f(x)", () => {
    const W = randn([3, 5], rng);
    const dx = numericalGradientArray(arrayFunctions['rightProduct']!({ W }), randn([4, 3], rng), randn([4, 5], rng));
    expect(dx).toHaveShape([4, 3], 'dx');
  });

  test('relError › returns a number for two tensors and for two numbers', () => {
    expect(typeof relError(randn([3], rng), randn([3], rng))).toBe('number');
    expect(typeof relError(1, 2)).toBe('number');
  });

  test('gradCheckSparse › returns numChecks entries, each with an in-range index of one coordinate per axis of x', () => {
    const x = randn([3, 4, 2], rng);
    const checks = gradCheckSparse(sumCubes, x, map(x, (v) => 3 * v * v), 7, createRng('shapes'));
    expect(checks).toHaveLength(7);
    for (const c of checks) {
      expect(c.index).toHaveLength(3);
      c.index.forEach((i, k) => {
        expect(Number.isInteger(i), `index ${JSON.stringify(c.index)} should hold integers`).toBe(true);
        expect(i, `coordinate ${k} of ${JSON.stringify(c.index)}`).toBeGreaterThanOrEqual(0);
        expect(i, `coordinate ${k} of ${JSON.stringify(c.index)}`).toBeLessThan(x.shape[k]!);
      });
      for (const key of ['numerical', 'analytic', 'relError'] as const) expect(typeof c[key], key).toBe('number');
    }
    expect(gradCheckSparse(sumCubes, x, x, 0)).toEqual([]);
  });
});

describe('values', () => {
  valueTests(fixture, gradientCheck as unknown as GradientCheckModule);
});

describe('properties', () => {
  test('numericalGradient › evaluates f at x + h·e_i and at x − h·e_i for every element i, and nowhere else', () => {
    const x = randn([2, 3], rng);
    const h = 1e-3;
    const original = clone(x); // compare with x as it was, in case x itself gets changed
    const f = recorded(weightedSquares({}));
    numericalGradient(f, x, h);
    const calls = f.calls;
    const seen = new Set<string>();
    for (const call of calls) {
      expect(call).toHaveShape(x.shape, 'the tensor f was called with');
      const moved = [...call.data.keys()].filter((i) => call.data[i] !== original.data[i]);
      // x itself is allowed (some implementations evaluate f(x) once); two moved elements mean x drifted.
      expect(moved.length, `f was called with ${moved.length} elements moved from x; at most one may be`).toBeLessThanOrEqual(1);
      if (moved.length === 1) {
        const i = moved[0]!;
        const step = call.data[i]! - original.data[i]!;
        expect(Math.abs(Math.abs(step) - h), `element ${i} moved by ${step}, not by ±h = ±${h}`).toBeLessThan(1e-12);
        seen.add(`${i}${step > 0 ? '+' : '-'}`);
      }
    }
    for (let i = 0; i < x.data.length; i++) {
      expect(seen.has(`${i}+`), `f was never evaluated at x + h·e_${i}`).toBe(true);
      expect(seen.has(`${i}-`), `f was never evaluated at x − h·e_${i} (centred differences need both sides)`).toBe(true);
    }
  });

  test('numericalGradient › honours h: the centred difference of Σ x³ with h = 0.1 is exactly 3x² + h²', () => {
    const x = awayFromZero();
    // (f(x + h) − f(x − h)) / 2h = ((x + h)³ − (x − h)³) / 2h = 3x² + h² for a cube, with no truncation error.
    expect(numericalGradient(sumCubes, x, 0.1)).toBeAllClose(map(x, (v) => 3 * v * v + 0.01), { rtol: 1e-12, atol: 1e-12, what: 'gradient with h = 0.1' });
  });

  test('numericalGradient › leaves x unchanged, data and shape', () => {
    const x = randn([3, 4], rng);
    const before = clone(x);
    numericalGradient(scalarFunctions['quadratic']!({ A: randn([12, 12], rng), b: randn([12], rng) }), x);
    expect(x).toHaveShape(before.shape, 'x after numericalGradient');
    expect(x.data, 'x after numericalGradient (restore every element to its old value)').toEqual(before.data);
  });

  test('numericalGradient › leaves x unchanged even when f throws half-way', () => {
    const x = randn([4], rng);
    const before = clone(x);
    expectErrorOfF(() => numericalGradient(failingOnCall(sumCubes, 4), x));
    expect(x.data, 'x after f threw (perturb a copy, or restore x in a finally)').toEqual(before.data);
  });

  test('numericalGradientArray › honours h: elementwise x³ with h = 0.1 gives dout ⊙ (3x² + h²)', () => {
    const x = randn([2, 3], rng);
    const dout = randn([2, 3], rng);
    const dx = numericalGradientArray(arrayFunctions['cube']!({}), x, dout, 0.1);
    expect(dx).toBeAllClose(map(x, (v, k) => dout.data[k]! * (3 * v * v + 0.01)), { rtol: 1e-10, atol: 1e-12, what: 'dx with h = 0.1' });
  });

  test("numericalGradientArray › copies f's output: for the identity, whose output is its argument, dx = dout", () => {
    const x = randn([3, 2], rng);
    const dout = randn([3, 2], rng);
    expect(numericalGradientArray(arrayFunctions['identity']!({}), x, dout)).toBeAllClose(dout, { rtol: 1e-8, atol: 1e-10, what: 'dx of the identity' });
  });

  test('numericalGradientArray › leaves x and dout unchanged, even when f throws half-way', () => {
    const x = randn([2, 2], rng);
    const dout = randn([2, 2], rng);
    const before = [clone(x), clone(dout)];
    numericalGradientArray(arrayFunctions['sin']!({}), x, dout);
    expect(x.data, 'x after numericalGradientArray').toEqual(before[0]!.data);
    expect(dout.data, 'dout after numericalGradientArray').toEqual(before[1]!.data);
    expectErrorOfF(() => numericalGradientArray(failingOnCall(arrayFunctions['sin']!({}), 3), x, dout));
    expect(x.data, 'x after f threw').toEqual(before[0]!.data);
  });

  test('relError › the 1e-8 floor: relError(0, 0) is 0, and two tiny numbers are close, not 50 % apart', () => {
    expect(relError(0, 0)).toBe(0);
    expect(relError(zeros([2, 3]), zeros([2, 3]))).toBe(0);
    // |1e-12 − 3e-12| / max(1e-8, 4e-12) = 2e-12 / 1e-8
    expect(relError(1e-12, 3e-12)).toBeAllClose(2e-4, { rtol: 1e-12, atol: 0, what: 'relError(1e-12, 3e-12)' });
  });

  test('relError › divides by |a| + |b|, not by the larger of the two', () => {
    expect(relError(1, 3)).toBeAllClose(0.5, { rtol: 1e-12, atol: 0, what: 'relError(1, 3)' });
    expect(relError(-2, 2)).toBeAllClose(1, { rtol: 1e-12, atol: 0, what: 'relError(-2, 2)' });
  });

  test('relError › reports the worst element, not the average', () => {
    const a = { shape: [2, 2], data: Float64Array.of(1, 1, 1, 1) };
    const b = { shape: [2, 2], data: Float64Array.of(1, 1, 1, 3) };
    expect(relError(a, b)).toBeAllClose(0.5, { rtol: 1e-12, atol: 0, what: 'relError with one element off' });
  });

  test('relError › is symmetric, 0 for equal tensors, and NaN when an element is NaN', () => {
    const a = randn([5], rng);
    const b = randn([5], rng);
    expect(relError(a, b)).toBe(relError(b, a));
    expect(relError(a, clone(a))).toBe(0);
    const withNaN = clone(a);
    withNaN.data[2] = NaN;
    expect(relError(withNaN, a), 'a NaN gradient must never look close').toBeNaN();
  });

  test('gradCheckSparse › the same seed gives the same checks, and omitting rng is deterministic too', () => {
    const x = randn([4, 5], rng);
    const g = map(x, (v) => 3 * v * v);
    expect(gradCheckSparse(sumCubes, x, g, 8, createRng('same'))).toEqual(gradCheckSparse(sumCubes, x, g, 8, createRng('same')));
    expect(gradCheckSparse(sumCubes, x, g, 8)).toEqual(gradCheckSparse(sumCubes, x, g, 8));
  });

  test('gradCheckSparse › makes 10 checks by default and honours h', () => {
    const x = awayFromZero();
    const checks = gradCheckSparse(sumCubes, x, map(x, (v) => 3 * v * v), undefined, createRng('h'), 0.1);
    expect(checks).toHaveLength(10);
    for (const c of checks) {
      const v = x.data[c.index[0]! * 3 + c.index[1]!]!;
      expect(c.numerical).toBeAllClose(3 * v * v + 0.01, { rtol: 1e-12, atol: 1e-12, what: `numerical at ${JSON.stringify(c.index)} with h = 0.1` });
    }
  });

  test('gradCheckSparse › flags a wrong analytic gradient: 2x² instead of 3x² gives relative errors of 0.2', () => {
    const x = awayFromZero();
    const checks = gradCheckSparse(sumCubes, x, map(x, (v) => 2 * v * v), 5, createRng('wrong'));
    // |3x² − 2x²| / (3x² + 2x²) = 1/5 wherever x ≠ 0
    for (const c of checks) expect(c.relError).toBeAllClose(0.2, { rtol: 1e-6, atol: 0, what: `relError at ${JSON.stringify(c.index)}` });
  });

  test('gradCheckSparse › a zero gradient checked against zero has relative error 0, not NaN', () => {
    // Σ x² at x = 0: f(+h) = f(−h), so the centred difference is exactly 0, and so is 2x.
    const x = zeros([3, 2]);
    const checks = gradCheckSparse(scalarFunctions['sumSquares']!({}), x, zeros([3, 2]), 4, createRng('zero'));
    for (const c of checks) expect(c.relError, `relError at ${JSON.stringify(c.index)}`).toBe(0);
  });

  test('gradCheckSparse › leaves x unchanged and calls f with tensors of the shape of x', () => {
    const x = randn([3, 3], rng);
    const before = clone(x);
    const f = recorded(weightedSquares({}));
    gradCheckSparse(f, x, zeros([3, 3]), 6, createRng('unchanged'));
    expect(x.data, 'x after gradCheckSparse').toEqual(before.data);
    for (const call of f.calls) expect(call).toHaveShape([3, 3], 'the tensor f was called with');
    expectErrorOfF(() => gradCheckSparse(failingOnCall(sumCubes, 3), x, zeros([3, 3]), 6, createRng('unchanged')));
    expect(x.data, 'x after f threw').toEqual(before.data);
  });
});

describe('gradients', () => {
  // Centred differences err by O(h²) plus f's rounding over h: each threshold below is a tenth or
  // less of it for any correct implementation (the problems are drawn so, see
  // lib/testing/checks/05-gradient-check.ts). Forward differences err by O(h): h·f''/2f', i.e.
  // 5e-6 … 4e-3 relative on these functions.
  test('numericalGradient › Σ x³ gives 3x² to 1e-8 relative (a forward difference is off by h/x ≥ 5e-6)', () => {
    // (x + h)³ − (x − h)³ = 6x²h + 2h³: the centred difference is 3x² + h², 1e-10/(2·3x²) ≤ 7e-11
    // relative for |x| ≥ 0.5. Σ x³ rounds by ≤ 9u·Σ|x|³ ≈ 1.5e-14; over 2h, doubled for points one ulp
    // off, ≤ 3e-9 absolute, ≤ 2e-9 relative where 3x² = 0.75.
    const x = awayFromZero();
    expect(relError(numericalGradient(sumCubes, x), map(x, (v) => 3 * v * v)), 'relative error against 3x²').toBeLessThan(1e-8);
  });

  test('numericalGradient › the softmax loss: relative error against Xᵀ(P − Y)/N below 1e-6 (forward: ~4e-3)', () => {
    const { X, y, W } = softmaxProblem(rng, 6, 3, 4, 0.5, 1e-6);
    // A correct centred difference lands around 1e-9: rounding over 2h dominates the smallest entries.
    expect(relError(numericalGradient(scalarFunctions['softmaxLoss']!({ X, y }), W), softmaxLossGradient(X, y, W)), 'relative error against Xᵀ(P − Y)/N').toBeLessThan(1e-6);
  });

  test('numericalGradientArray › elementwise tanh: dout ⊙ (1 − tanh² x) to 1e-7 relative (forward: ~5e-6)', () => {
    // Elementwise, so dout cancels from each entry's relative error: (h²·|tanh‴|/6 + 2u/h) / 2 tanh′(x)
    // ≤ (3.3e-11 + 2.2e-11) / 0.02 ≈ 3e-9 for |x| ≤ 3.
    const x = rand([3, 4], rng, -3, 3);
    const dout = randn([3, 4], rng);
    const dx = numericalGradientArray(arrayFunctions['tanh']!({}), x, dout);
    const expected = map(x, (v, k) => dout.data[k]! * (1 - Math.tanh(v) ** 2));
    expect(relError(dx, expected), 'relative error against dout ⊙ (1 − tanh² x)').toBeLessThan(1e-7);
  });

  test('numericalGradientArray › a matrix product x W: dx = dout Wᵀ, and as a function of W: dW = xᵀ dout', () => {
    // Linear in each argument: the centred difference is exact up to rounding (~1e-10 absolute);
    // the draw has no entry of dx or dW small enough for that to reach 1e-8 relative.
    const { x, W, dout } = matmulProblem(rng, 4, 3, 5, 1e-7);
    const dx = numericalGradientArray(arrayFunctions['rightProduct']!({ W }), x, dout);
    const dW = numericalGradientArray(arrayFunctions['leftProduct']!({ A: x }), W, dout);
    expect(relError(dx, matmul(dout, transpose(W))), 'relative error of dx against dout Wᵀ').toBeLessThan(1e-7);
    expect(relError(dW, matmul(transpose(x), dout)), 'relative error of dW against xᵀ dout').toBeLessThan(1e-7);
  });

  test('gradCheckSparse › a correct softmax gradient passes every check (relative error below 1e-6)', () => {
    const { X, y, W } = softmaxProblem(rng, 6, 3, 4, 0.5, 1e-6);
    const analytic = softmaxLossGradient(X, y, W);
    const checks = gradCheckSparse(scalarFunctions['softmaxLoss']!({ X, y }), W, analytic, 10, createRng('softmax'));
    for (const c of checks) {
      const at = c.index[0]! * 4 + c.index[1]!;
      expect(c.analytic, `analytic at ${JSON.stringify(c.index)} must be analyticGrad there`).toBe(analytic.data[at]);
      expect(c.relError, `relError at ${JSON.stringify(c.index)}`).toBeLessThan(1e-6);
      expect(c.numerical).toBeAllClose(analytic.data[at]!, { rtol: 1e-5, atol: 1e-9, what: `numerical at ${JSON.stringify(c.index)}` });
    }
  });
});

describe('bad input', () => {
  test("numericalGradient › a step 'h' of 0 or below is a RangeError", () => {
    expectInputError(() => numericalGradient(sumCubes, randn([3], rng), 0), { fn: 'numericalGradient', arg: 'h' });
    expectInputError(() => numericalGradient(sumCubes, randn([3], rng), -1e-5), { fn: 'numericalGradient', arg: 'h' });
  });

  test("numericalGradient › an 'x' that is not a tensor is a TypeError", () => {
    const notATensor = [1, 2, 3] as unknown as Tensor;
    expectInputError(() => numericalGradient(sumCubes, notATensor), { kind: TypeError, fn: 'numericalGradient', arg: 'x' });
  });

  test("numericalGradientArray › a 'dout' whose shape differs from f(x) is a RangeError naming both shapes", () => {
    const W = randn([3, 2], rng);
    expectInputError(() => numericalGradientArray(arrayFunctions['rightProduct']!({ W }), randn([4, 3], rng), zeros([2, 4])), {
      fn: 'numericalGradientArray',
      arg: 'dout',
      shapes: [
        [4, 2],
        [2, 4],
      ],
    });
  });

  test('relError › tensors of different shapes are a RangeError naming both shapes', () => {
    expectInputError(() => relError(zeros([2, 3]), zeros([3, 2])), {
      fn: 'relError',
      shapes: [
        [2, 3],
        [3, 2],
      ],
    });
  });

  test("gradCheckSparse › an 'analyticGrad' whose shape differs from x is a RangeError naming both shapes", () => {
    expectInputError(() => gradCheckSparse(sumCubes, randn([2, 3], rng), zeros([6])), {
      fn: 'gradCheckSparse',
      arg: 'analyticGrad',
      shapes: [[2, 3], [6]],
    });
  });

  test("gradCheckSparse › a 'numChecks' that is negative or not an integer is a RangeError", () => {
    const x = randn([3], rng);
    expectInputError(() => gradCheckSparse(sumCubes, x, x, -1), { fn: 'gradCheckSparse', arg: 'numChecks' });
    expectInputError(() => gradCheckSparse(sumCubes, x, x, 2.5), { fn: 'gradCheckSparse', arg: 'numChecks' });
  });
});
