/**
 * Hidden suite for exercise 03 — batch normalization. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 */
import { describe, expect, test } from 'vitest';
import { clone, map, mean, ones, randn, sqrt, variance, zeros, type Tensor } from '../../../lib/index.ts';
import { evalNumericalGradientArray, relError } from '../../../lib/testing/gradcheck.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import { batchnormBackward, batchnormBackwardAlt, batchnormForward, type BatchnormParams } from '../../../exercises/03-batchnorm/batchnorm.ts';
import * as reference from '../../../solutions/03-batchnorm/batchnorm.ts';
import { variantRng } from '../variants.ts';

const fixture = loadFixture('03-batchnorm', 'hidden');
/** Same tolerances as the public suite: float64 reordering costs ~1e-15; real mistakes cost ≥ 1e-5. */
const TOL = { rtol: 1e-7, atol: 1e-10 };
const GRAD_MAX_REL_ERROR = 1e-6;

type ForwardArgs = { x: Tensor; gamma: Tensor; beta: Tensor; params: BatchnormParams };
type ForwardExpected = { out: Tensor; runningMean: Tensor; runningVar: Tensor };
type SequenceArgs = { batches: Tensor[]; xTest: Tensor; gamma: Tensor; beta: Tensor };
type BackwardArgs = ForwardArgs & { dout: Tensor };
type Gradients = { dx: Tensor; dgamma: Tensor; dbeta: Tensor };

const forwardCases = casesFor<ForwardArgs & Partial<SequenceArgs>, ForwardExpected>(fixture, 'batchnormForward');
const backwardFns = { batchnormBackward, batchnormBackwardAlt } as const;

describe('shapes', () => {
  test.for([
    [1, 5],
    [9, 1],
    [3, 11],
  ] as const)('batchnormForward › shape-%i-by-%i: out and running statistics keep [N, D] and [D]', ([N, D]) => {
    const rng = variantRng('03-batchnorm/shapes');
    const result = batchnormForward(randn([N, D], rng), ones([D]), zeros([D]), { mode: 'train' });
    expect(result.out.shape).toEqual([N, D]);
    expect(result.runningMean.shape).toEqual([D]);
    expect(result.runningVar.shape).toEqual([D]);
  });
});

describe('values', () => {
  test.for(titled(forwardCases.filter((c) => c.group !== 'sequence')))('%s', ([, { args, expected }]) => {
    const result = batchnormForward(args.x, args.gamma, args.beta, args.params);
    expect(result.out).toBeAllClose(expected.out, { ...TOL, what: 'out' });
    expect(result.runningMean).toBeAllClose(expected.runningMean, { ...TOL, what: 'runningMean' });
    expect(result.runningVar).toBeAllClose(expected.runningVar, { ...TOL, what: 'runningVar' });
  });

  const backwardCases = [
    ...casesFor<BackwardArgs, Gradients>(fixture, 'batchnormBackward'),
    ...casesFor<BackwardArgs, Gradients>(fixture, 'batchnormBackwardAlt'),
  ];
  test.for(titled(backwardCases))('%s', ([, { fn, args, expected }]) => {
    const { cache } = batchnormForward(args.x, args.gamma, args.beta, args.params);
    const grads = backwardFns[fn as keyof typeof backwardFns](args.dout, cache);
    expect(grads.dbeta).toBeAllClose(expected.dbeta, { ...TOL, what: 'dbeta' });
    expect(grads.dgamma).toBeAllClose(expected.dgamma, { ...TOL, what: 'dgamma' });
    expect(grads.dx).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
  });
});

describe('properties', () => {
  test.for(titled(forwardCases.filter((c) => c.group === 'sequence')))('%s', ([, { args, expected }]) => {
    let runningMean: Tensor | undefined;
    let runningVar: Tensor | undefined;
    for (const x of args.batches!) {
      ({ runningMean, runningVar } = batchnormForward(x, args.gamma!, args.beta!, { mode: 'train', runningMean, runningVar }));
    }
    expect(runningMean).toBeAllClose(expected.runningMean, { ...TOL, what: 'runningMean after the training steps' });
    expect(runningVar).toBeAllClose(expected.runningVar, { ...TOL, what: 'runningVar after the training steps' });
    const { out } = batchnormForward(args.xTest!, args.gamma!, args.beta!, { mode: 'test', runningMean, runningVar });
    expect(out).toBeAllClose(expected.out, { ...TOL, what: 'test-mode out' });
  });

  test('batchnormForward › extreme-scale-normalizes: features spread over 1e-3 … 1e4 all come out with mean 0 and std 1', () => {
    const rng = variantRng('03-batchnorm/extreme');
    const scales = [1e-3, 1, 1e4];
    const x = map(randn([500, 3], rng), (v, k) => v * scales[k % 3]! + 3 * scales[k % 3]!);
    const { out } = batchnormForward(x, ones([3]), zeros([3]), { mode: 'train', eps: 0 });
    expect(mean(out, 0)).toBeAllClose(zeros([3]), { rtol: 0, atol: 1e-10, what: 'per-feature mean' });
    expect(sqrt(variance(out, 0))).toBeAllClose(ones([3]), { rtol: 1e-9, atol: 0, what: 'per-feature std' });
  });

  test('batchnormForward › single-row-train-is-beta: with N = 1 every x̂ is 0, so out equals beta and stays finite', () => {
    const rng = variantRng('03-batchnorm/single-row');
    const beta = randn([4], rng);
    const { out } = batchnormForward(randn([1, 4], rng), randn([4], rng), beta, { mode: 'train' });
    expect(out).toBeAllClose({ shape: [1, 4], data: beta.data }, { rtol: 0, atol: 1e-12, what: 'out' });
  });

  test('batchnormForward › inputs-untouched-in-test-mode: test mode never mutates x, gamma, beta or the running statistics', () => {
    const rng = variantRng('03-batchnorm/mutation');
    const args = [randn([5, 3], rng), randn([3], rng), randn([3], rng), randn([3], rng), map(randn([3], rng), (v) => 1 + v * v)] as const;
    const before = args.map(clone);
    batchnormForward(args[0], args[1], args[2], { mode: 'test', runningMean: args[3], runningVar: args[4] });
    args.forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });
});

describe('gradients', () => {
  test.for([
    ['batchnormBackward', 8, 6],
    ['batchnormBackwardAlt', 8, 6],
    // NOTE: not N = 2: two rows always normalize to ±1, so dx is ~1e-7 and its relative error is noise.
    ['batchnormBackward', 3, 2],
    ['batchnormBackwardAlt', 3, 2],
  ] as const)('%s › numerical-gradient-%ix%i: dx, dgamma and dbeta match numerical gradients of the forward pass', ([fn, N, D]) => {
    const rng = variantRng(`03-batchnorm/grad-${fn}-${N}x${D}`);
    const x = map(randn([N, D], rng), (v, k) => 3 * v + (k % D));
    const gamma = randn([D], rng);
    const beta = randn([D], rng);
    const dout = randn([N, D], rng);
    const params: BatchnormParams = { mode: 'train' };
    const { cache } = batchnormForward(x, gamma, beta, params);
    const { dx, dgamma, dbeta } = backwardFns[fn](dout, cache);
    const forward = reference.batchnormForward;
    expect(relError(dbeta, evalNumericalGradientArray((b) => forward(x, gamma, b, params).out, beta, dout)), 'relative error of dbeta').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(dgamma, evalNumericalGradientArray((g) => forward(x, g, beta, params).out, gamma, dout)), 'relative error of dgamma').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(dx, evalNumericalGradientArray((v) => forward(v, gamma, beta, params).out, x, dout)), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
  });
});

describe('bad input', () => {
  const x = map(zeros([3, 4]), (_, k) => k);
  test("batchnormForward › rejects-3d-x: an 'x' of shape [2, 3, 4] is a RangeError", () => {
    expectInputError(() => batchnormForward(zeros([2, 3, 4]), ones([4]), zeros([4]), { mode: 'train' }), { fn: 'batchnormForward', arg: 'x', shapes: [[2, 3, 4]] });
  });
  test("batchnormForward › rejects-short-running-var: a 'runningVar' of the wrong length is a RangeError", () => {
    expectInputError(() => batchnormForward(x, ones([4]), zeros([4]), { mode: 'test', runningMean: zeros([4]), runningVar: ones([2]) }), {
      fn: 'batchnormForward',
      arg: 'runningVar',
      shapes: [[4], [2]],
    });
  });
  test("batchnormForward › rejects-gamma-as-matrix: a 'gamma' of shape [1, 4] is a RangeError", () => {
    expectInputError(() => batchnormForward(x, ones([1, 4]), zeros([4]), { mode: 'train' }), { fn: 'batchnormForward', arg: 'gamma', shapes: [[4], [1, 4]] });
  });
  test("batchnormBackwardAlt › rejects-wrong-dout: a 'dout' of the wrong shape is a RangeError", () => {
    const { cache } = batchnormForward(x, ones([4]), zeros([4]), { mode: 'train' });
    expectInputError(() => batchnormBackwardAlt(zeros([3, 5]), cache), { fn: 'batchnormBackwardAlt', arg: 'dout', shapes: [[3, 4], [3, 5]] });
  });
});

describe('variants', () => {
  const rng = variantRng('03-batchnorm');
  const N = 5 + rng.randint(0, 6);
  const D = 2 + rng.randint(0, 5);
  const x = map(randn([N, D], rng), (v, k) => (2 + (k % D)) * v + rng.randint(-5, 6));
  const gamma = randn([D], rng);
  const beta = randn([D], rng);
  const runningMean = randn([D], rng);
  const runningVar = map(randn([D], rng), (v) => 0.5 + v * v);
  const dout = randn([N, D], rng);

  test('batchnormForward › variant-train: train mode on your personal batch', () => {
    const params: BatchnormParams = { mode: 'train', runningMean, runningVar };
    const want = reference.batchnormForward(x, gamma, beta, params);
    const got = batchnormForward(x, gamma, beta, params);
    expect(got.out).toBeAllClose(want.out, { ...TOL, what: 'out' });
    expect(got.runningMean).toBeAllClose(want.runningMean, { ...TOL, what: 'runningMean' });
    expect(got.runningVar).toBeAllClose(want.runningVar, { ...TOL, what: 'runningVar' });
  });

  test('batchnormForward › variant-test: test mode on your personal batch', () => {
    const params: BatchnormParams = { mode: 'test', runningMean, runningVar };
    expect(batchnormForward(x, gamma, beta, params).out).toBeAllClose(reference.batchnormForward(x, gamma, beta, params).out, { ...TOL, what: 'out' });
  });

  test.for(['batchnormBackward', 'batchnormBackwardAlt'] as const)('%s › variant-backward: gradients on your personal batch', (fn) => {
    const params: BatchnormParams = { mode: 'train' };
    const want = reference.batchnormBackward(dout, reference.batchnormForward(x, gamma, beta, params).cache);
    const got = backwardFns[fn](dout, batchnormForward(x, gamma, beta, params).cache);
    expect(got.dbeta).toBeAllClose(want.dbeta, { ...TOL, what: 'dbeta' });
    expect(got.dgamma).toBeAllClose(want.dgamma, { ...TOL, what: 'dgamma' });
    expect(got.dx).toBeAllClose(want.dx, { ...TOL, what: 'dx' });
  });
});
