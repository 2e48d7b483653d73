/**
 * Public tests for exercise 03 — batch normalization.
 * Run: npm test exercises/03-batchnorm
 *
 * Order: shapes → values against fixtures → properties → gradient checks → bad input.
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, full, mean, ones, randn, sqrt, variance, zeros, type Tensor } from '../../lib/index.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { loadFixture } from '../../lib/testing/fixtures.ts';
// The tolerances (and why a correct implementation cannot miss them), the fixture-driven value
// tests and the gradient check live in lib/testing/checks/03-batchnorm.ts.
import { expectGradientsMatchNumerical, gradientCheckCases, TOL, valueTests, type BatchnormModule } from '../../lib/testing/checks/03-batchnorm.ts';
import * as batchnorm from './batchnorm.ts';
import { batchnormBackward, batchnormBackwardAlt, batchnormForward, type BatchnormParams } from './batchnorm.ts';

const fixture = loadFixture('03-batchnorm');
const rng = createRng('03-batchnorm/public-tests');

/** A [N, D] batch with features far from mean 0 / std 1, so normalizing is visible. */
function batch(N: number, D: number): Tensor {
  const x = randn([N, D], rng);
  return { shape: x.shape, data: x.data.map((v, k) => 5 * (1 + (k % D)) * v + 10 - 3 * (k % D)) };
}

describe('shapes', () => {
  test('batchnormForward › returns out [N, D], runningMean [D] and runningVar [D]', () => {
    const x = batch(4, 3);
    const result = batchnormForward(x, ones([3]), zeros([3]), { mode: 'train' });
    expect(result.out).toHaveShape([4, 3], 'out');
    expect(result.runningMean).toHaveShape([3], 'runningMean');
    expect(result.runningVar).toHaveShape([3], 'runningVar');
  });

  test.for([
    ['batchnormBackward', batchnormBackward],
    ['batchnormBackwardAlt', batchnormBackwardAlt],
  ] as const)('%s › returns dx [N, D], dgamma [D] and dbeta [D]', ([, backward]) => {
    const x = batch(5, 2);
    const { cache } = batchnormForward(x, ones([2]), zeros([2]), { mode: 'train' });
    const grads = backward(randn([5, 2], rng), cache);
    expect(grads.dx).toHaveShape([5, 2], 'dx');
    expect(grads.dgamma).toHaveShape([2], 'dgamma');
    expect(grads.dbeta).toHaveShape([2], 'dbeta');
  });
});

describe('values', () => {
  valueTests(fixture, batchnorm as unknown as BatchnormModule);
});

describe('properties', () => {
  test('batchnormForward › with gamma = 1 and beta = 0, every feature has mean 0 and std 1', () => {
    const x = batch(200, 3);
    const { out } = batchnormForward(x, ones([3]), zeros([3]), { mode: 'train' });
    expect(mean(out, 0)).toBeAllClose(zeros([3]), { rtol: 0, atol: 1e-12, what: 'per-feature mean of out' });
    // Biased std of out is √(σ² / (σ² + ε)): 1 to within 1e-6 for these variances (σ² ≥ 25).
    expect(sqrt(variance(out, 0))).toBeAllClose(ones([3]), { rtol: 1e-6, atol: 0, what: 'per-feature std of out' });
  });

  test('batchnormForward › with gamma and beta, every feature has mean beta and std |gamma|', () => {
    const x = batch(200, 3);
    const gamma = { shape: [3], data: Float64Array.of(2, 0.5, -3) };
    const beta = { shape: [3], data: Float64Array.of(-1, 4, 0.25) };
    const { out } = batchnormForward(x, gamma, beta, { mode: 'train' });
    expect(mean(out, 0)).toBeAllClose(beta, { rtol: 0, atol: 1e-12, what: 'per-feature mean of out' });
    expect(sqrt(variance(out, 0))).toBeAllClose([2, 0.5, 3], { rtol: 1e-6, atol: 0, what: 'per-feature std of out' });
  });

  test('batchnormForward › a first training step starts the running statistics from zeros', () => {
    const x = batch(6, 2);
    const { runningMean, runningVar } = batchnormForward(x, ones([2]), zeros([2]), { mode: 'train' });
    // running = 0.9 · 0 + 0.1 · batch statistic
    expect(runningMean).toBeAllClose(Array.from(mean(x, 0).data, (v) => 0.1 * v), { ...TOL, what: 'runningMean' });
    expect(runningVar).toBeAllClose(Array.from(variance(x, 0).data, (v) => 0.1 * v), { ...TOL, what: 'runningVar' });
  });

  test('batchnormForward › 20 training steps from zeros bring the running statistics to (1 − 0.9²⁰) of the batch mean and biased variance', () => {
    const x = batch(10, 4);
    let runningMean: Tensor | undefined;
    let runningVar: Tensor | undefined;
    const STEPS = 20;
    for (let step = 0; step < STEPS; step++) {
      ({ runningMean, runningVar } = batchnormForward(x, ones([4]), zeros([4]), { mode: 'train', runningMean, runningVar }));
    }
    // Each step keeps 0.9 of the previous value and adds 0.1 of the batch's: from zeros, after k
    // steps of the same batch, (1 − 0.9^k) of its statistic. The 20 steps each round once
    // (≈ 1e-16 relative), so 1e-9 leaves room for any order of the update's operations, while a
    // momentum of 0.1 (≈ 1.0 of the statistic) or 0.99 (0.18) is far outside it.
    const reached = 1 - 0.9 ** STEPS;
    expect(runningMean).toBeAllClose({ shape: [4], data: mean(x, 0).data.map((v) => reached * v) }, { rtol: 1e-9, atol: 1e-12, what: `runningMean after ${STEPS} steps` });
    expect(runningVar).toBeAllClose({ shape: [4], data: variance(x, 0).data.map((v) => reached * v) }, { rtol: 1e-9, atol: 1e-12, what: `runningVar after ${STEPS} steps (biased: divide by N)` });
  });

  test('batchnormForward › test mode with converged running statistics reproduces train mode', () => {
    const x = batch(10, 4);
    const gamma = randn([4], rng);
    const beta = randn([4], rng);
    const train = batchnormForward(x, gamma, beta, { mode: 'train', runningMean: mean(x, 0), runningVar: variance(x, 0) });
    const test = batchnormForward(x, gamma, beta, { mode: 'test', runningMean: train.runningMean, runningVar: train.runningVar });
    expect(test.out).toBeAllClose(train.out, { ...TOL, what: 'test-mode out' });
  });

  test('batchnormForward › test mode uses the running statistics and returns them unchanged', () => {
    const x = batch(3, 2);
    const runningMean = { shape: [2], data: Float64Array.of(1, -2) };
    const runningVar = { shape: [2], data: Float64Array.of(4, 0.25) };
    const result = batchnormForward(x, ones([2]), zeros([2]), { mode: 'test', runningMean, runningVar, eps: 0 });
    const expected = x.data.map((v, k) => (k % 2 === 0 ? (v - 1) / 2 : (v + 2) / 0.5));
    expect(result.out).toBeAllClose({ shape: [3, 2], data: expected }, { ...TOL, what: 'test-mode out' });
    expect(result.runningMean).toBeAllClose(runningMean, { rtol: 0, atol: 0, what: 'runningMean' });
    expect(result.runningVar).toBeAllClose(runningVar, { rtol: 0, atol: 0, what: 'runningVar' });
  });

  test('batchnormForward › never mutates its inputs', () => {
    const x = batch(4, 3);
    const gamma = randn([3], rng);
    const beta = randn([3], rng);
    const runningMean = randn([3], rng);
    const runningVar = full([3], 2);
    const before = [x, gamma, beta, runningMean, runningVar].map(clone);
    batchnormForward(x, gamma, beta, { mode: 'train', runningMean, runningVar });
    [x, gamma, beta, runningMean, runningVar].forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });

  test('batchnormBackward › never mutates dout', () => {
    const x = batch(4, 3);
    const { cache } = batchnormForward(x, ones([3]), zeros([3]), { mode: 'train' });
    const dout = randn([4, 3], rng);
    const before = clone(dout);
    batchnormBackward(dout, cache);
    batchnormBackwardAlt(dout, cache);
    expect(dout.data).toEqual(before.data);
  });
});

describe('gradients', () => {
  /**
   * Both backward passes after a train-mode forward, and after a test-mode one (the running
   * statistics are constants there: only the direct path through x̂ remains). The inputs come from
   * the fixture, drawn so that a correct backward pass stays far below the bound (see
   * GRAD_MAX_REL_ERROR).
   */
  const TRAIN = 'dx, dgamma and dbeta match numerical gradients of batchnormForward';
  const TEST = 'after a test-mode forward the running statistics are constants: gradients match numerical ones';
  const gradientCases = gradientCheckCases(fixture).flatMap((args) =>
    (['batchnormBackward', 'batchnormBackwardAlt'] as const).map((fn) => [`${fn} › ${args.params.mode === 'train' ? TRAIN : TEST}`, fn, args] as const),
  );
  test.for(gradientCases)('%s', ([, fn, args]) => {
    expectGradientsMatchNumerical(batchnorm as unknown as BatchnormModule, fn, args);
  });

  // Named after both: when they disagree, either one may be the wrong one (its own gradient check says which).
  test('batchnormBackward and batchnormBackwardAlt › agree to rounding error', () => {
    const x = batch(6, 3);
    const gamma = randn([3], rng);
    const beta = randn([3], rng);
    const { cache } = batchnormForward(x, gamma, beta, { mode: 'train' });
    const dout = randn([6, 3], rng);
    const graph = batchnormBackward(dout, cache);
    const alt = batchnormBackwardAlt(dout, cache);
    // Two formulas on one cache, 6 rows with max|x| / σ ≤ 5: apart by ≤ ~1e-14 (normalizationBounds),
    // far inside rtol 1e-9, atol 1e-12; a missing term is off by O(1).
    expect(alt.dx).toBeAllClose(graph.dx, { rtol: 1e-9, atol: 1e-12, what: 'dx of batchnormBackwardAlt against batchnormBackward' });
    expect(alt.dgamma).toBeAllClose(graph.dgamma, { rtol: 1e-9, atol: 1e-12, what: 'dgamma of batchnormBackwardAlt against batchnormBackward' });
    expect(alt.dbeta).toBeAllClose(graph.dbeta, { rtol: 1e-9, atol: 1e-12, what: 'dbeta of batchnormBackwardAlt against batchnormBackward' });
  });
});

describe('bad input', () => {
  const x = batch(4, 5);
  const fn = 'batchnormForward';

  test("batchnormForward › a 'gamma' of the wrong length is a RangeError naming both shapes", () => {
    expectInputError(() => batchnormForward(x, ones([4]), zeros([5]), { mode: 'train' }), { fn, arg: 'gamma', shapes: [[5], [4]] });
  });

  test("batchnormForward › a 'beta' of the wrong length is a RangeError naming both shapes", () => {
    expectInputError(() => batchnormForward(x, ones([5]), zeros([6]), { mode: 'train' }), { fn, arg: 'beta', shapes: [[5], [6]] });
  });

  test("batchnormForward › an 'x' that is not [N, D] is a RangeError", () => {
    expectInputError(() => batchnormForward(zeros([20]), ones([5]), zeros([5]), { mode: 'train' }), { fn, arg: 'x', shapes: [[20]] });
  });

  test("batchnormForward › a 'runningMean' of the wrong length is a RangeError", () => {
    expectInputError(() => batchnormForward(x, ones([5]), zeros([5]), { mode: 'train', runningMean: zeros([3]) }), {
      fn,
      arg: 'runningMean',
      shapes: [[5], [3]],
    });
  });

  test("batchnormForward › an unknown 'mode' is a RangeError", () => {
    const params = { mode: 'eval' } as unknown as BatchnormParams;
    expectInputError(() => batchnormForward(x, ones([5]), zeros([5]), params), { fn, arg: 'mode' });
  });

  test("batchnormBackward › a 'dout' of the wrong shape is a RangeError", () => {
    const { cache } = batchnormForward(x, ones([5]), zeros([5]), { mode: 'train' });
    expectInputError(() => batchnormBackward(zeros([5, 4]), cache), { fn: 'batchnormBackward', arg: 'dout', shapes: [[4, 5], [5, 4]] });
  });
});
