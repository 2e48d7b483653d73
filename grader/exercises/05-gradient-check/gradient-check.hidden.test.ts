/**
 * Hidden suite for exercise 05 — gradient checking. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * The functions f come from the shared tables of lib/testing/functions.ts. Checks drawn from the
 * student's seed live in ./variants.ts; tolerances and the fixture-driven value tests are the
 * public suite's (lib/testing/checks/05-gradient-check.ts).
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, isNotImplementedError, map, randn, zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { loadFixture } from '../../../lib/testing/fixtures.ts';
import { valueTests, type GradientCheckModule } from '../../../lib/testing/checks/05-gradient-check.ts';
import * as student from '../../../exercises/05-gradient-check/gradient-check.ts';
import { gradCheckSparse, numericalGradient, numericalGradientArray, relError } from '../../../exercises/05-gradient-check/gradient-check.ts';
import { arrayFunctions, failingOnCall, sumCubes } from '../../../lib/testing/functions.ts';
import { variantTests } from '../variants.ts';
import { variantChecks } from './variants.ts';

const fixture = loadFixture('05-gradient-check', 'hidden');
const STUDENT = student as unknown as GradientCheckModule;
const at = (index: readonly number[]): string => `[${index.join(', ')}]`;

/** Runs `run`, which must let through the error f throws (see `failingOnCall`); x must come back intact. */
function expectRestoredAfterThrow(x: Tensor, run: () => unknown): void {
  const before = clone(x);
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  if (isNotImplementedError(thrown)) throw thrown;
  expect(thrown instanceof Error ? thrown.message : thrown, 'the error thrown by f should reach the caller').toBe('f failed on purpose');
  expect(x.data, 'x after f threw').toEqual(before.data);
}

describe('shapes', () => {
  test('numericalGradient › shape-scalar: a rank-0 x (shape []) gives a rank-0 gradient', () => {
    expect(numericalGradient(sumCubes, { shape: [], data: Float64Array.of(2) })).toHaveShape([], 'gradient');
  });

  test('gradCheckSparse › shape-zero-checks: numChecks = 0 gives an empty list', () => {
    const x = randn([3], createRng('zero-checks'));
    expect(gradCheckSparse(sumCubes, x, x, 0, createRng('zero-checks'))).toEqual([]);
  });

  variantTests(variantChecks, 'shapes', STUDENT);
});

describe('values', () => {
  valueTests(fixture, STUDENT);
});

describe('properties', () => {
  test('numericalGradient › x-unchanged-on-first-throw: x is unchanged when f throws on its very first call', () => {
    const x = randn([3], createRng('first-throw'));
    expectRestoredAfterThrow(x, () => numericalGradient(failingOnCall(sumCubes, 1), x));
  });

  test('numericalGradientArray › array-x-unchanged-on-throw: x is unchanged when f throws at x − h·e_0', () => {
    const x = randn([2, 2], createRng('array-throw'));
    expectRestoredAfterThrow(x, () => numericalGradientArray(failingOnCall(arrayFunctions['sin']!({}), 2), x, randn([2, 2], createRng('array-throw-dout'))));
  });

  test('gradCheckSparse › sparse-x-unchanged-on-throw: x is unchanged when f throws in the middle of the checks', () => {
    const x = randn([3, 2], createRng('sparse-throw'));
    expectRestoredAfterThrow(x, () => gradCheckSparse(failingOnCall(sumCubes, 6), x, zeros([3, 2]), 5, createRng('sparse-throw')));
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

  variantTests(variantChecks, 'properties', STUDENT);
});

describe('gradients', () => {
  variantTests(variantChecks, 'gradients', STUDENT);
});

describe('bad input', () => {
  const x = randn([2, 3], createRng('05-gradient-check/bad-input'));

  test("numericalGradient › rejects-nan-h: h = NaN is a RangeError naming 'h'", () => {
    expectInputError(() => numericalGradient(sumCubes, x, NaN), { fn: 'numericalGradient', arg: 'h' });
  });

  test("numericalGradientArray › rejects-zero-h: h = 0 is a RangeError naming 'h'", () => {
    expectInputError(() => numericalGradientArray(arrayFunctions['identity']!({}), x, x, 0), { fn: 'numericalGradientArray', arg: 'h' });
  });

  test("numericalGradientArray › rejects-dout-flat: a 'dout' [6] for an f(x) of shape [2, 3] is a RangeError naming both shapes", () => {
    expectInputError(() => numericalGradientArray(arrayFunctions['sin']!({}), x, zeros([6])), { fn: 'numericalGradientArray', arg: 'dout', shapes: [[2, 3], [6]] });
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
  variantTests(variantChecks, 'variants', STUDENT);
});
