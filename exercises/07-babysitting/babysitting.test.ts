/**
 * Public tests for exercise 07 — babysitting the learning process.
 * Run: npm test exercises/07-babysitting
 *
 * Order: shapes → values against fixtures → properties → gradients → bad input.
 */
import { describe, expect, test } from 'vitest';
import { createRng, map, randn, zeros, type Tensor } from '../../lib/index.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { loadFixture } from '../../lib/testing/fixtures.ts';
import { numbers, TOL, valueTests, type BabysittingModule } from '../../lib/testing/checks/07-babysitting.ts';
import * as babysitting from './babysitting.ts';
import { linearSoftmaxTrainer, scriptedTrainer, type TestTrainer } from '../../lib/testing/functions.ts';
import { numericalGradientOf, relError } from '../../lib/testing/gradcheck.ts';
import {
  checkInitialLoss,
  checkRegularization,
  diagnoseTraining,
  expectedInitialLoss,
  overfitSmallData,
  softmaxLoss,
  updateRatioVerdict,
  updateToWeightRatio,
} from './babysitting.ts';

const fixture = loadFixture('07-babysitting');

/** Float64 arithmetic in another order differs by ~1e-15; 1e-7 leaves room for that and nothing else. */
// The value tolerance (and why a correct implementation cannot miss it) and the fixture-driven
// value tests live in lib/testing/checks/07-babysitting.ts.
/**
 * Gradient check of dscores: centred differences with h = 1e-5 carry O(h²) ≈ 1e-10 truncation and
 * ~1e-11 rounding of a loss of size ~1; the smallest entries of dscores here are ~1e-3, so a correct
 * gradient lands below 1e-7. A missing 1/N or a missing −1 at the correct class is off by 0.3 or more.
 */
const GRAD_MAX_REL_ERROR = 1e-6;

const rng = createRng('07-babysitting/public-tests');

/** Fixtures write NaN and ±Infinity as strings; Number() reads them back. */

// The trainers come from lib/testing/functions.ts: `scriptedTrainer(losses, accuracies)` plays back
// a script (step s returns losses[s − 1], the accuracy after it is accuracies[s − 1]; past the end
// the last value repeats), and every trainer logs its calls in `calls` ('step 1', 'accuracy 1', …).

/**
 * A real trainer: a linear softmax classifier (scores = X W) on N points in D dimensions, plain SGD.
 * With D > N the points are separable, so a working loop memorizes them.
 */
function linearClassifier(N: number, D: number, C: number, learningRate: number): TestTrainer {
  const X = randn([N, D], rng);
  const y = { shape: [N], data: Float64Array.from({ length: N }, () => rng.randint(0, C)) };
  const W0 = map(randn([D, C], rng), (v) => 1e-3 * v);
  return linearSoftmaxTrainer(X, y, W0, learningRate);
}

describe('shapes', () => {
  test('softmaxLoss › returns a number loss and dscores of the shape of scores', () => {
    const { loss, dscores } = softmaxLoss(randn([4, 3], rng), [0, 2, 1, 1]);
    expect(typeof loss).toBe('number');
    expect(dscores).toHaveShape([4, 3], 'dscores');
    expect(dscores.data).toBeInstanceOf(Float64Array);
  });

  test('checkInitialLoss, checkRegularization › return { passed: boolean, detail: a sentence }', () => {
    for (const check of [checkInitialLoss(2.3, 10), checkRegularization([{ reg: 0, loss: 1 }, { reg: 1, loss: 2 }])]) {
      expect(typeof check.passed).toBe('boolean');
      expect(typeof check.detail).toBe('string');
      expect(check.detail.length, 'detail should say what was measured').toBeGreaterThan(0);
    }
  });

  test('overfitSmallData › reports passed, stopped, steps, one loss per step and the last accuracy', () => {
    const report = overfitSmallData(scriptedTrainer([2, 1, 0.5], [0.5, 0.8, 1]), 10);
    expect(Object.keys(report).sort()).toEqual(['losses', 'passed', 'steps', 'stopped', 'trainAccuracy']);
    expect(report.losses).toHaveLength(report.steps);
  });

  test('diagnoseTraining › returns the diagnosis with the numbers it was read from', () => {
    const result = diagnoseTraining({ loss: Array.from({ length: 20 }, (_, i) => 2 / (1 + i)), trainAcc: [0.3, 0.9], valAcc: [0.3, 0.7] });
    expect(Object.keys(result).sort()).toEqual(['diagnosis', 'early', 'end', 'firstGap', 'lastGap', 'start']);
    expect(typeof result.diagnosis).toBe('string');
  });
});

describe('values', () => {
  valueTests(fixture, babysitting as unknown as BabysittingModule);
});

describe('properties', () => {
  test('softmaxLoss › equal scores give loss ln C and dscores (1/C − [j = y]) / N', () => {
    const scores = map(zeros([5, 4]), () => 0.7);
    const y = [0, 3, 1, 1, 2];
    const { loss, dscores } = softmaxLoss(scores, y);
    expect(loss).toBeAllClose(Math.log(4), { ...TOL, what: 'loss' });
    const want = map(zeros([5, 4]), (_, k) => (0.25 - (k % 4 === y[Math.floor(k / 4)] ? 1 : 0)) / 5);
    expect(dscores).toBeAllClose(want, { ...TOL, what: 'dscores' });
  });

  test('softmaxLoss › adding a constant to a row changes neither the loss nor dscores', () => {
    const scores = randn([3, 6], rng);
    const y = [5, 0, 2];
    const shifted = map(scores, (v, k) => v + [40, -25, 300][Math.floor(k / 6)]!);
    const a = softmaxLoss(scores, y);
    const b = softmaxLoss(shifted, y);
    // Shifting by 300 costs ~300 · 1e-16 of absolute rounding in each score.
    expect(b.loss).toBeAllClose(a.loss, { rtol: 1e-10, atol: 1e-12, what: 'loss of the shifted scores' });
    expect(b.dscores).toBeAllClose(a.dscores, { rtol: 1e-9, atol: 1e-12, what: 'dscores of the shifted scores' });
  });

  test('softmaxLoss › every row of dscores sums to 0, and the loss is positive', () => {
    const scores = map(randn([6, 5], rng), (v) => 3 * v);
    const { loss, dscores } = softmaxLoss(scores, [0, 1, 2, 3, 4, 0]);
    expect(loss).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) expect(Math.abs(dscores.data.slice(i * 5, i * 5 + 5).reduce((a, b) => a + b, 0)), `sum of row ${i}`).toBeLessThan(1e-15);
  });

  test('softmaxLoss › never mutates scores or y', () => {
    const scores = randn([3, 4], rng);
    const y = Int32Array.of(3, 0, 1);
    const before = scores.data.slice();
    softmaxLoss(scores, y);
    expect(scores.data).toEqual(before);
    expect(Array.from(y)).toEqual([3, 0, 1]);
  });

  test('expectedInitialLoss › is the softmax loss of a net that has learned nothing (all scores 0)', () => {
    expect(expectedInitialLoss(7)).toBeAllClose(softmaxLoss(zeros([4, 7]), [6, 0, 3, 3]).loss, { ...TOL, what: 'expected initial loss vs loss of zero scores' });
  });

  test('checkInitialLoss › a loss that is NaN or infinite never passes', () => {
    for (const loss of [NaN, Infinity, -Infinity]) expect(checkInitialLoss(loss, 10, 1e6).passed, `passed for a loss of ${loss}`).toBe(false);
  });

  test("checkRegularization › does not reorder the caller's points", () => {
    const points = [{ reg: 1, loss: 8 }, { reg: 0, loss: 2 }, { reg: 0.5, loss: 5 }];
    const copy = JSON.parse(JSON.stringify(points)) as typeof points;
    checkRegularization(points);
    expect(points).toEqual(copy);
  });

  test('updateToWeightRatio › scaling w and the update by the same factor leaves the ratio unchanged', () => {
    const w = randn([4, 6], rng);
    const update = map(randn([4, 6], rng), (v) => 1e-3 * v);
    const scaled = updateToWeightRatio(map(w, (v) => 250 * v), map(update, (v) => 250 * v));
    expect(scaled).toBeAllClose(updateToWeightRatio(w, update), { rtol: 1e-12, atol: 0, what: 'ratio after scaling both by 250' });
  });

  test('updateToWeightRatio › an SGD update −lr · dw has the ratio lr · ‖dw‖ / ‖w‖', () => {
    const w = randn([10], rng);
    const dw = randn([10], rng);
    const norm = (t: Tensor): number => Math.sqrt(t.data.reduce((s, v) => s + v * v, 0));
    expect(updateToWeightRatio(w, map(dw, (v) => -0.01 * v))).toBeAllClose((0.01 * norm(dw)) / norm(w), { ...TOL, what: 'ratio' });
  });

  test('updateToWeightRatio › a w of zeros gives 0 for a zero update and Infinity for any other', () => {
    expect(updateToWeightRatio(zeros([3]), zeros([3]))).toBe(0);
    expect(updateToWeightRatio(zeros([3]), { shape: [3], data: Float64Array.of(0, 1e-8, 0) })).toBe(Infinity);
  });

  test('updateRatioVerdict › Infinity and NaN are too high (the weights blew up)', () => {
    expect(updateRatioVerdict(Infinity)).toBe('too-high');
    expect(updateRatioVerdict(NaN)).toBe('too-high');
  });

  test('overfitSmallData › a linear classifier with plain SGD memorizes 30 points in 40 dimensions', () => {
    const report = overfitSmallData(linearClassifier(30, 40, 5, 0.1), 300);
    expect(report.stopped).toBe('memorized');
    expect(report.passed).toBe(true);
    expect(report.trainAccuracy).toBe(1);
    expect(report.losses[report.losses.length - 1]!).toBeLessThan(report.losses[0]!);
  });

  test('overfitSmallData › with a learning rate of 1e-9 nothing is learned: every step is taken and it does not pass', () => {
    const report = overfitSmallData(linearClassifier(20, 30, 4, 1e-9), 25);
    expect(report.stopped).toBe('out-of-steps');
    expect(report.passed).toBe(false);
    expect(report.steps).toBe(25);
    expect(report.losses).toHaveLength(25);
  });

  test('overfitSmallData › passes the step number to step and accuracy, measures the accuracy after every finite step and never after a NaN', () => {
    const trainer = scriptedTrainer([2.3, 1.7, NaN], [0.1, 0.2, 0.3]);
    overfitSmallData(trainer, 10);
    expect(trainer.calls).toEqual(['step 1', 'accuracy 1', 'step 2', 'accuracy 2', 'step 3']);
  });

  test('diagnoseTraining › the diagnosis does not change when every loss is multiplied by 7', () => {
    const history = { loss: Array.from({ length: 60 }, (_, i) => 0.4 - 0.05 * (i / 59)), trainAcc: [0.5, 0.6], valAcc: [0.5, 0.58] };
    const scaled = { ...history, loss: history.loss.map((v) => 7 * v) };
    expect(diagnoseTraining(scaled).diagnosis, 'diagnosis of the scaled curve').toBe(diagnoseTraining(history).diagnosis);
  });

  test('diagnoseTraining › never mutates the history', () => {
    const history = { loss: Array.from({ length: 20 }, (_, i) => 2 / (1 + i)), trainAcc: [0.3, 0.9], valAcc: [0.3, 0.7] };
    const copy = JSON.parse(JSON.stringify(history)) as typeof history;
    diagnoseTraining(history);
    expect(history).toEqual(copy);
  });
});

describe('gradients', () => {
  test('softmaxLoss › dscores matches the numerical gradient of the loss', () => {
    const scores = randn([4, 5], rng);
    const y = [1, 4, 0, 4];
    const { dscores } = softmaxLoss(scores, y);
    const numerical = numericalGradientOf(softmaxLoss, [scores, y], { wrt: 0, output: ['loss'] });
    expect(relError(dscores, numerical), 'relative error of dscores').toBeLessThan(GRAD_MAX_REL_ERROR);
  });

  test('softmaxLoss › dscores matches the numerical gradient for confident scores too', () => {
    const scores = map(randn([3, 4], rng), (v, k) => 2 * v + (k % 4 === 1 ? 4 : 0));
    const y = [1, 1, 2];
    const { dscores } = softmaxLoss(scores, y);
    const numerical = numericalGradientOf(softmaxLoss, [scores, y], { wrt: 0, output: ['loss'] });
    expect(relError(dscores, numerical), 'relative error of dscores').toBeLessThan(GRAD_MAX_REL_ERROR);
  });
});

describe('bad input', () => {
  test("softmaxLoss › a 'y' of the wrong length is a RangeError", () => {
    expectInputError(() => softmaxLoss(randn([4, 3], rng), [0, 1, 2]), { fn: 'softmaxLoss', arg: 'y' });
  });

  test("softmaxLoss › a label outside [0, C) is a RangeError naming 'y'", () => {
    expectInputError(() => softmaxLoss(randn([2, 3], rng), [0, 3]), { fn: 'softmaxLoss', arg: 'y[1]' });
    expectInputError(() => softmaxLoss(randn([2, 3], rng), [0.5, 1]), { fn: 'softmaxLoss', arg: 'y[0]' });
  });

  test("softmaxLoss › 'scores' that are not [N, C] are a RangeError naming the shape", () => {
    expectInputError(() => softmaxLoss(randn([6], rng), [0]), { fn: 'softmaxLoss', arg: 'scores', shapes: [[6]] });
  });

  test("expectedInitialLoss › a 'numClasses' of 0 or 2.5 is a RangeError", () => {
    expectInputError(() => expectedInitialLoss(0), { fn: 'expectedInitialLoss', arg: 'numClasses' });
    expectInputError(() => expectedInitialLoss(2.5), { fn: 'expectedInitialLoss', arg: 'numClasses' });
  });

  test("checkInitialLoss › a negative 'tolerance' is a RangeError", () => {
    expectInputError(() => checkInitialLoss(2.3, 10, -0.1), { fn: 'checkInitialLoss', arg: 'tolerance' });
  });

  test("checkRegularization › one point, or two with the same reg, is a RangeError naming 'points'", () => {
    expectInputError(() => checkRegularization([{ reg: 0, loss: 2 }]), { fn: 'checkRegularization', arg: 'points' });
    expectInputError(() => checkRegularization([{ reg: 0.1, loss: 2 }, { reg: 0.1, loss: 3 }]), { fn: 'checkRegularization', arg: 'points' });
  });

  test("updateToWeightRatio › an 'update' of another shape is a RangeError naming both shapes", () => {
    expectInputError(() => updateToWeightRatio(randn([3, 2], rng), randn([2, 3], rng)), { fn: 'updateToWeightRatio', arg: 'update', shapes: [[3, 2], [2, 3]] });
  });

  test("updateRatioVerdict › a negative 'ratio' is a RangeError", () => {
    expectInputError(() => updateRatioVerdict(-1e-3), { fn: 'updateRatioVerdict', arg: 'ratio' });
  });

  test("overfitSmallData › a 'maxSteps' of 0 is a RangeError", () => {
    expectInputError(() => overfitSmallData(scriptedTrainer([1], [1]), 0), { fn: 'overfitSmallData', arg: 'maxSteps' });
  });

  test("diagnoseTraining › fewer than 10 losses, or accuracies of different lengths, are a RangeError", () => {
    expectInputError(() => diagnoseTraining({ loss: [3, 2, 1], trainAcc: [0.5], valAcc: [0.5] }), { fn: 'diagnoseTraining', arg: 'history.loss' });
    const loss = Array.from({ length: 10 }, (_, i) => 2 - 0.1 * i);
    expectInputError(() => diagnoseTraining({ loss, trainAcc: [0.5, 0.6], valAcc: [0.5] }), { fn: 'diagnoseTraining', arg: 'history.trainAcc' });
  });
});
