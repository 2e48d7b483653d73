/**
 * Hidden suite for exercise 10 — PReLU and maxout. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * Checks drawn from the student's seed live in ./variants.ts.
 */
import { describe, expect, test } from 'vitest';
import { createRng, randn, zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import * as student from '../../../exercises/10-prelu-maxout/prelu-maxout.ts';
import { variantTests } from '../variants.ts';
import { TOL, variantChecks, type PreluMaxoutModule } from './variants.ts';

const { maxoutBackward, maxoutForward, preluBackward, preluForward } = student;
const STUDENT = student as unknown as PreluMaxoutModule;
const fixture = loadFixture('10-prelu-maxout', 'hidden');

describe('shapes', () => {
  variantTests(variantChecks, 'shapes', STUDENT);
});

describe('values', () => {
  test.for(titled(casesFor<{ x: Tensor; alpha: Tensor }, { out: Tensor }>(fixture, 'preluForward')))('%s', ([, { args, expected }]) => {
    expect(preluForward(args.x, args.alpha).out).toBeAllClose(expected.out, { ...TOL, what: 'out' });
  });
  test.for(titled(casesFor<{ x: Tensor; alpha: Tensor; dout: Tensor }, { dx: Tensor; dalpha: Tensor }>(fixture, 'preluBackward')))('%s', ([, { args, expected }]) => {
    const { dx, dalpha } = preluBackward(args.dout, preluForward(args.x, args.alpha).cache);
    expect(dx).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
    expect(dalpha).toBeAllClose(expected.dalpha, { ...TOL, what: 'dalpha' });
  });
  test.for(titled(casesFor<{ x: Tensor; W: Tensor; b: Tensor }, { out: Tensor }>(fixture, 'maxoutForward')))('%s', ([, { args, expected }]) => {
    expect(maxoutForward(args.x, args.W, args.b).out).toBeAllClose(expected.out, { ...TOL, what: 'out' });
  });
  test.for(titled(casesFor<{ x: Tensor; W: Tensor; b: Tensor; dout: Tensor }, { dx: Tensor; dW: Tensor; db: Tensor }>(fixture, 'maxoutBackward')))('%s', ([, { args, expected }]) => {
    const g = maxoutBackward(args.dout, maxoutForward(args.x, args.W, args.b).cache);
    expect(g.db).toBeAllClose(expected.db, { ...TOL, what: 'db' });
    expect(g.dW).toBeAllClose(expected.dW, { ...TOL, what: 'dW' });
    expect(g.dx).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
  });
});

describe('properties', () => {
  variantTests(variantChecks, 'properties', STUDENT);
});

describe('gradients', () => {
  variantTests(variantChecks, 'gradients', STUDENT);
});

describe('bad input', () => {
  const rng = createRng('10-prelu-maxout/hidden-bad');
  test("preluForward › rejects-alpha-as-matrix: an 'alpha' of shape [1, 3] is a RangeError", () => {
    expectInputError(() => preluForward(randn([2, 3], rng), randn([1, 3], rng)), { fn: 'preluForward', arg: 'alpha', shapes: [[3], [1, 3]] });
  });
  test("maxoutForward › rejects-no-pieces: a 'W' of shape [0, 3, 2] is a RangeError", () => {
    expectInputError(() => maxoutForward(randn([2, 3], rng), zeros([0, 3, 2]), zeros([0, 2])), { fn: 'maxoutForward', arg: 'W' });
  });
  test("preluBackward › rejects-wrong-dout: a 'dout' of the wrong shape is a RangeError", () => {
    const { cache } = preluForward(randn([2, 3], rng), randn([3], rng));
    expectInputError(() => preluBackward(randn([3, 2], rng), cache), { fn: 'preluBackward', arg: 'dout', shapes: [[2, 3], [3, 2]] });
  });
});

describe('variants', () => {
  variantTests(variantChecks, 'variants', STUDENT);
});
