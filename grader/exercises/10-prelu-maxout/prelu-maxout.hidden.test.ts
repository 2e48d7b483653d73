/**
 * Hidden suite for exercise 10 — PReLU and maxout. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 *
 * Backward passes get the cache of the student's own forward pass (its contents are the student's
 * design); numerical gradients come from the reference forward pass, so a forward bug is not
 * counted twice.
 */
import { describe, expect, test } from 'vitest';
import { map, randn, zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import { numericalGradientOf, relError } from '../../../lib/testing/gradcheck.ts';
import { maxoutBackward, maxoutForward, preluBackward, preluForward } from '../../../exercises/10-prelu-maxout/prelu-maxout.ts';
import * as reference from '../../../solutions/10-prelu-maxout/prelu-maxout.ts';
import { variantRng } from '../variants.ts';
import { awayFromZero, clearWinners } from './fixtures.ts';

const fixture = loadFixture('10-prelu-maxout', 'hidden');
/** Same tolerances as the public suite: piecewise-linear layers away from their kinks. */
const TOL = { rtol: 1e-7, atol: 1e-10 };
const GRAD_MAX_REL_ERROR = 1e-7;

describe('shapes', () => {
  test('preluForward › prelu-single-element-shapes: x [1, 1] and x [1, 1, 1, 1] keep their shapes', () => {
    const rng = variantRng('10-prelu-maxout/shapes');
    expect(preluForward(randn([1, 1], rng), randn([1], rng)).out.shape).toEqual([1, 1]);
    expect(preluForward(randn([1, 1, 1, 1], rng), randn([1], rng)).out.shape).toEqual([1, 1, 1, 1]);
  });
  test('maxoutForward › maxout-wide-shapes: x [2, 7] with 5 pieces of [7, 1] gives [2, 1]', () => {
    const rng = variantRng('10-prelu-maxout/maxout-shapes');
    expect(maxoutForward(randn([2, 7], rng), randn([5, 7, 1], rng), randn([5, 1], rng)).out.shape).toEqual([2, 1]);
  });
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
  test('preluForward › leaky-relu-special-case: alpha = 0.01 everywhere is leaky ReLU', () => {
    const rng = variantRng('10-prelu-maxout/leaky');
    const x = randn([4, 6], rng);
    expect(preluForward(x, map(zeros([6]), () => 0.01)).out).toBeAllClose(map(x, (v) => (v > 0 ? v : 0.01 * v)), { rtol: 0, atol: 0, what: 'out' });
  });

  test('preluBackward › dalpha-zero-for-positive-input: an all-positive x gives dalpha = 0 and dx = dout', () => {
    const rng = variantRng('10-prelu-maxout/positive');
    const x = map(randn([3, 2, 2, 2], rng), (v) => Math.abs(v) + 0.1);
    const dout = randn([3, 2, 2, 2], rng);
    const { dx, dalpha } = preluBackward(dout, preluForward(x, randn([2], rng)).cache);
    expect(dalpha).toBeAllClose([0, 0], { rtol: 0, atol: 0, what: 'dalpha' });
    expect(dx).toBeAllClose(dout, { rtol: 0, atol: 0, what: 'dx' });
  });

  test('maxoutForward › one-piece-is-affine: k = 1 is x W + b, and all its gradient goes to that piece', () => {
    const rng = variantRng('10-prelu-maxout/one-piece');
    const x = randn([3, 4], rng);
    const W = randn([1, 4, 2], rng);
    const b = randn([1, 2], rng);
    const dout = randn([3, 2], rng);
    const g = maxoutBackward(dout, maxoutForward(x, W, b).cache);
    expect(g.db).toBeAllClose([[dout.data[0]! + dout.data[2]! + dout.data[4]!, dout.data[1]! + dout.data[3]! + dout.data[5]!]], { ...TOL, what: 'db' });
  });

  test('maxoutBackward › three-way-tie: three identical pieces, the first takes every gradient', () => {
    const rng = variantRng('10-prelu-maxout/three-way');
    const one = randn([1, 3, 2], rng);
    const W = { shape: [3, 3, 2], data: Float64Array.from([...one.data, ...one.data, ...one.data]) };
    const b = { shape: [3, 2], data: Float64Array.of(0.3, -0.1, 0.3, -0.1, 0.3, -0.1) };
    const dout = randn([4, 2], rng);
    const g = maxoutBackward(dout, maxoutForward(randn([4, 3], rng), W, b).cache);
    expect(Array.from(g.db.data.slice(2)), 'db of pieces 1 and 2').toEqual([0, 0, 0, 0]);
    expect(Array.from(g.dW.data.slice(6)).every((v) => v === 0), 'dW of pieces 1 and 2 is zero').toBe(true);
  });
});

describe('gradients', () => {
  test.for([
    ['features', [4, 3]],
    ['channels', [2, 2, 3, 2]],
  ] as const)('preluBackward › numerical-gradient-%s: dx and dalpha match numerical gradients (x [N, D], or [N, C, H, W] with a slope per channel)', ([, shape]) => {
    const rng = variantRng(`10-prelu-maxout/grad-${shape.length}`);
    const x = awayFromZero(rng, [...shape]);
    const alpha = map(randn([shape[1]], rng), (v) => 0.2 + 0.1 * v);
    const dout = randn([...shape], rng);
    const { dx, dalpha } = preluBackward(dout, preluForward(x, alpha).cache);
    expect(relError(dx, numericalGradientOf(reference.preluForward, [x, alpha], { wrt: 0, output: ['out'], dout })), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(dalpha, numericalGradientOf(reference.preluForward, [x, alpha], { wrt: 1, output: ['out'], dout })), 'relative error of dalpha').toBeLessThan(GRAD_MAX_REL_ERROR);
  });

  test('maxoutBackward › numerical-gradient-four-pieces: dx, dW and db match numerical gradients', () => {
    const rng = variantRng('10-prelu-maxout/grad-maxout');
    const [x, W, b] = clearWinners(rng, 4, 3, 2, 4);
    const dout = randn([4, 2], rng);
    const g = maxoutBackward(dout, maxoutForward(x, W, b).cache);
    const args: [Tensor, Tensor, Tensor] = [x, W, b];
    expect(relError(g.dx, numericalGradientOf(reference.maxoutForward, args, { wrt: 0, output: ['out'], dout })), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(g.dW, numericalGradientOf(reference.maxoutForward, args, { wrt: 1, output: ['out'], dout })), 'relative error of dW').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(g.db, numericalGradientOf(reference.maxoutForward, args, { wrt: 2, output: ['out'], dout })), 'relative error of db').toBeLessThan(GRAD_MAX_REL_ERROR);
  });
});

describe('bad input', () => {
  const rng = variantRng('10-prelu-maxout/bad');
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
  const rng = variantRng('10-prelu-maxout');
  const N = 2 + rng.randint(0, 4);
  const C = 1 + rng.randint(0, 4);
  const x = awayFromZero(rng, [N, C, 2, 1 + rng.randint(0, 3)]);
  const alpha = map(randn([C], rng), (v) => 0.25 * v);
  const dout = randn(x.shape as number[], rng);
  const [xm, Wm, bm] = clearWinners(rng, 2 + rng.randint(0, 3), 2 + rng.randint(0, 3), 1 + rng.randint(0, 3), 2 + rng.randint(0, 3));
  const doutM = randn([xm.shape[0]!, Wm.shape[2]!], rng);

  test('preluForward › variant-prelu: PReLU of your personal images', () => {
    expect(preluForward(x, alpha).out).toBeAllClose(reference.preluForward(x, alpha).out, { ...TOL, what: 'out' });
    const want = reference.preluBackward(dout, reference.preluForward(x, alpha).cache);
    const got = preluBackward(dout, preluForward(x, alpha).cache);
    expect(got.dx).toBeAllClose(want.dx, { ...TOL, what: 'dx' });
    expect(got.dalpha).toBeAllClose(want.dalpha, { ...TOL, what: 'dalpha' });
  });

  test('maxoutForward › variant-maxout: maxout of your personal layer', () => {
    expect(maxoutForward(xm, Wm, bm).out).toBeAllClose(reference.maxoutForward(xm, Wm, bm).out, { ...TOL, what: 'out' });
    const want = reference.maxoutBackward(doutM, reference.maxoutForward(xm, Wm, bm).cache);
    const got = maxoutBackward(doutM, maxoutForward(xm, Wm, bm).cache);
    expect(got.dx).toBeAllClose(want.dx, { ...TOL, what: 'dx' });
    expect(got.dW).toBeAllClose(want.dW, { ...TOL, what: 'dW' });
    expect(got.db).toBeAllClose(want.db, { ...TOL, what: 'db' });
  });
});
