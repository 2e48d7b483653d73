/**
 * Hidden suite for exercise 07 — babysitting. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * Checks drawn from the student's seed live in ./variants.ts.
 */
import { describe, expect, test } from 'vitest';
import { zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { loadFixture } from '../../../lib/testing/fixtures.ts';
import { valueTests, type BabysittingModule as ValueModule } from '../../../lib/testing/checks/07-babysitting.ts';
import { scriptedTrainer } from '../../../lib/testing/functions.ts';
import * as student from '../../../exercises/07-babysitting/babysitting.ts';
import { variantTests } from '../variants.ts';
import { variantChecks, type BabysittingModule } from './variants.ts';

const { checkInitialLoss, checkRegularization, diagnoseTraining, expectedInitialLoss, overfitSmallData, softmaxLoss, updateRatioVerdict, updateToWeightRatio } = student;
const STUDENT = student as unknown as BabysittingModule;
const fixture = loadFixture('07-babysitting', 'hidden');


describe('shapes', () => {
  variantTests(variantChecks, 'shapes', STUDENT);

  test('overfitSmallData › report-out-of-steps-shape: one loss per step when the steps run out', () => {
    const report = overfitSmallData(scriptedTrainer([2, 1.9], [0.1, 0.2]), 7);
    expect(report.losses).toHaveLength(7);
    expect(report.steps).toBe(7);
  });
});

describe('values', () => {
  valueTests(fixture, student as unknown as ValueModule);
});

describe('properties', () => {
  test('checkInitialLoss › agrees-with-expected-loss: the expected initial loss of any C passes with tolerance 0', () => {
    for (const C of [2, 3, 10, 37]) expect(checkInitialLoss(expectedInitialLoss(C), C, 0).passed, `C = ${C}`).toBe(true);
  });

  test('updateToWeightRatio › nan-weights: weights holding NaN give a ratio the verdict calls too high', () => {
    const w = { shape: [3], data: Float64Array.of(1, NaN, 2) };
    expect(updateRatioVerdict(updateToWeightRatio(w, zeros([3])))).toBe('too-high');
  });

  test('overfitSmallData › accuracy-every-step: the accuracy is measured after each of 5 finite steps, and the loop then stops', () => {
    const trainer = scriptedTrainer([2, 1, 2 / 3, 0.5, 0.4], [0.5, 0.5, 0.5, 0.5, 1]);
    const report = overfitSmallData(trainer, 100);
    expect(report.steps).toBe(5);
    expect(trainer.calls.filter((c) => c.startsWith('accuracy')), 'calls of trainer.accuracy').toEqual(['accuracy 1', 'accuracy 2', 'accuracy 3', 'accuracy 4', 'accuracy 5']);
  });

  test('overfitSmallData › default-max-steps: without maxSteps the loop stops after 200 steps', () => {
    const report = overfitSmallData(scriptedTrainer([2.3], [0.1]));
    expect(report.stopped).toBe('out-of-steps');
    expect(report.steps).toBe(200);
  });

  variantTests(variantChecks, 'properties', STUDENT);
});

describe('gradients', () => {
  variantTests(variantChecks, 'gradients', STUDENT);
});

describe('bad input', () => {
  test("softmaxLoss › rejects-empty-batch: 'scores' of shape [0, 3] is a RangeError", () => {
    expectInputError(() => softmaxLoss(zeros([0, 3]), []), { fn: 'softmaxLoss', arg: 'scores', shapes: [[0, 3]] });
  });
  test("softmaxLoss › rejects-negative-label: a label of −1 is a RangeError", () => {
    expectInputError(() => softmaxLoss(zeros([2, 3]), [1, -1]), { fn: 'softmaxLoss', arg: 'y[1]' });
  });
  test("checkRegularization › rejects-negative-reg: a reg of −0.1 is a RangeError", () => {
    expectInputError(() => checkRegularization([{ reg: 0, loss: 1 }, { reg: -0.1, loss: 2 }]), { fn: 'checkRegularization', arg: 'points[1].reg' });
  });
  test("overfitSmallData › rejects-fractional-steps: a 'maxSteps' of 2.5 is a RangeError", () => {
    expectInputError(() => overfitSmallData(scriptedTrainer([1], [1]), 2.5), { fn: 'overfitSmallData', arg: 'maxSteps' });
  });
  test("diagnoseTraining › rejects-empty-accuracies: empty accuracy lists are a RangeError", () => {
    expectInputError(() => diagnoseTraining({ loss: Array.from({ length: 12 }, () => 1), trainAcc: [], valAcc: [] }), { fn: 'diagnoseTraining', arg: 'history.trainAcc' });
  });
});

describe('variants', () => {
  variantTests(variantChecks, 'variants', STUDENT);
});
