/**
 * Exercise 07's value tests against a fixture, its tolerance and the comparisons of an overfit
 * report and of a diagnosis's numbers, shared by the public suite and the grader's hidden suite
 * (each passes its own fixture) and by the hidden variant checks.
 *
 * Tolerance (rtol 1e-7, atol 1e-10): values computed in another order of operations differ by
 * ~1e-15 relative (a softmax row of up to 11 classes, a norm of up to 18 products, a mean of a
 * window of losses); 1e-7 leaves room for that and nothing else: the typical mistakes miss by 1e-3
 * (a window one loss wider) to 1 (a missing 1/N).
 */
import { expect, test } from 'vitest';
import type { Tensor } from '../../index.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import { scriptedTrainer } from '../functions.ts';
import type * as Babysitting from '../../../exercises/07-babysitting/babysitting.ts';
import type { OverfitReport, RegularizationPoint, TrainingDiagnosis } from '../../../exercises/07-babysitting/babysitting.ts';

export const TOL = { rtol: 1e-7, atol: 1e-10 };
export type BabysittingModule = typeof Babysitting;

/** Numbers as a fixture holds them ('NaN', 'Infinity' as strings). */
export const numbers = (values: readonly (number | string)[]): number[] => values.map(Number);

/** The report field by field, the losses last, for clear failure messages. */
export function expectReport(got: OverfitReport, want: OverfitReport): void {
  expect(got.stopped, 'stopped').toBe(want.stopped);
  expect(got.steps, 'steps taken').toBe(want.steps);
  expect(got.passed, 'passed').toBe(want.passed);
  expect(got.trainAccuracy, 'trainAccuracy (the last accuracy measured)').toBe(want.trainAccuracy);
  expect(got.losses, 'losses (one per step taken)').toEqual(want.losses);
}

/** The five numbers of a diagnosis; NaN and ±Infinity must match exactly. */
export function expectNumbers(got: TrainingDiagnosis, want: Omit<TrainingDiagnosis, 'diagnosis'>): void {
  for (const key of ['start', 'end', 'early', 'firstGap', 'lastGap'] as const) {
    if (Number.isFinite(want[key])) expect(got[key]).toBeAllClose(want[key], { ...TOL, what: key });
    else expect(Object.is(got[key], want[key]) || (Number.isNaN(want[key]) && Number.isNaN(got[key])), `${key} should be ${want[key]}, got ${got[key]}`).toBe(true);
  }
}

/** One test per fixture case of each function. */
export function valueTests(fixture: Fixture, mod: BabysittingModule): void {
  test.for(titled(casesFor<{ scores: Tensor; y: number[] }, { loss: number; dscores: Tensor }>(fixture, 'softmaxLoss')))('%s', ([, { args, expected }]) => {
    const { loss, dscores } = mod.softmaxLoss(args.scores, args.y);
    expect(loss).toBeAllClose(expected.loss, { ...TOL, what: 'loss' });
    expect(dscores).toBeAllClose(expected.dscores, { ...TOL, what: 'dscores' });
  });

  test.for(titled(casesFor<{ numClasses: number }, { loss: number }>(fixture, 'expectedInitialLoss')))('%s', ([, { args, expected }]) => {
    expect(mod.expectedInitialLoss(args.numClasses)).toBeAllClose(expected.loss, { ...TOL, what: 'expected initial loss' });
  });

  test.for(titled(casesFor<{ loss: number; numClasses: number; tolerance?: number }, { passed: boolean }>(fixture, 'checkInitialLoss')))('%s', ([, { args, expected }]) => {
    expect(mod.checkInitialLoss(args.loss, args.numClasses, args.tolerance).passed, `passed for a loss of ${args.loss} with ${args.numClasses} classes`).toBe(expected.passed);
  });

  test.for(titled(casesFor<{ points: RegularizationPoint[] }, { passed: boolean }>(fixture, 'checkRegularization')))('%s', ([, { args, expected }]) => {
    expect(mod.checkRegularization(args.points).passed, `passed for ${JSON.stringify(args.points)}`).toBe(expected.passed);
  });

  test.for(titled(casesFor<{ w: Tensor; update: Tensor }, { ratio: number }>(fixture, 'updateToWeightRatio')))('%s', ([, { args, expected }]) => {
    expect(mod.updateToWeightRatio(args.w, args.update)).toBeAllClose(expected.ratio, { ...TOL, what: 'ratio' });
  });

  test.for(titled(casesFor<{ ratio: number }, { verdict: string }>(fixture, 'updateRatioVerdict')))('%s', ([, { args, expected }]) => {
    expect(mod.updateRatioVerdict(args.ratio), `verdict for a ratio of ${args.ratio}`).toBe(expected.verdict);
  });

  type OverfitArgs = { losses: (number | string)[]; accuracies: number[]; maxSteps: number };
  type OverfitExpected = Omit<OverfitReport, 'losses'> & { losses: (number | string)[] };
  test.for(titled(casesFor<OverfitArgs, OverfitExpected>(fixture, 'overfitSmallData')))('%s', ([, { args, expected }]) => {
    const report = mod.overfitSmallData(scriptedTrainer(numbers(args.losses), args.accuracies), args.maxSteps);
    expectReport(report, { ...expected, losses: numbers(expected.losses) });
  });

  type History = { loss: (number | string)[]; trainAcc: number[]; valAcc: number[] };
  type Numbers = { start: number | string; end: number | string; early: number | string; firstGap: number | string; lastGap: number | string };
  test.for(titled(casesFor<{ history: History }, Numbers & { diagnosis: string }>(fixture, 'diagnoseTraining')))('%s', ([, { args, expected }]) => {
    const result = mod.diagnoseTraining({ ...args.history, loss: numbers(args.history.loss) });
    // The numbers first: a wrong window or gap explains a wrong diagnosis.
    expectNumbers(result, { start: Number(expected.start), end: Number(expected.end), early: Number(expected.early), firstGap: Number(expected.firstGap), lastGap: Number(expected.lastGap) });
    expect(result.diagnosis, 'diagnosis').toBe(expected.diagnosis);
  });
}
