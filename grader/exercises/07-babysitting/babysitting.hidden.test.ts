/**
 * Hidden suite for exercise 07 — babysitting. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 */
import { describe, expect, test } from 'vitest';
import { map, randn, zeros, type Rng, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import { numericalGradientOf, relError } from '../../../lib/testing/gradcheck.ts';
import {
  checkInitialLoss,
  checkRegularization,
  diagnoseTraining,
  expectedInitialLoss,
  overfitSmallData,
  softmaxLoss,
  updateRatioVerdict,
  updateToWeightRatio,
  type OverfitReport,
  type RegularizationPoint,
  type TrainingDiagnosis,
  type TrainingHistory,
} from '../../../exercises/07-babysitting/babysitting.ts';
import * as reference from '../../../solutions/07-babysitting/babysitting.ts';
import { variantRng } from '../variants.ts';
import { accuracies, curve, scriptedTrainer } from './fixtures.ts';

const fixture = loadFixture('07-babysitting', 'hidden');
/** Same tolerances as the public suite: float64 reordering costs ~1e-15; real mistakes cost ≥ 1e-3. */
const TOL = { rtol: 1e-7, atol: 1e-10 };
/** dscores entries here are ≥ 1e-4; centred differences of the reference loss are good to ~1e-9 relative. */
const GRAD_MAX_REL_ERROR = 1e-6;

const numbers = (values: readonly (number | string)[]): number[] => values.map(Number);

function labels(rng: Rng, N: number, C: number): number[] {
  return Array.from({ length: N }, () => rng.randint(0, C));
}

/** The report without the losses, and the losses separately, for clear failure messages. */
function expectReport(got: OverfitReport, want: OverfitReport): void {
  expect(got.stopped, 'stopped').toBe(want.stopped);
  expect(got.steps, 'steps').toBe(want.steps);
  expect(got.passed, 'passed').toBe(want.passed);
  expect(got.trainAccuracy, 'trainAccuracy').toBe(want.trainAccuracy);
  expect(got.losses, 'losses').toEqual(want.losses);
}

/** The five numbers of a diagnosis; NaN and ±Infinity must match exactly. */
function expectNumbers(got: TrainingDiagnosis, want: Omit<TrainingDiagnosis, 'diagnosis'>): void {
  for (const key of ['start', 'end', 'early', 'firstGap', 'lastGap'] as const) {
    if (Number.isFinite(want[key])) expect(got[key]).toBeAllClose(want[key], { ...TOL, what: key });
    else expect(Object.is(got[key], want[key]) || (Number.isNaN(want[key]) && Number.isNaN(got[key])), `${key}`).toBe(true);
  }
}

describe('shapes', () => {
  test.for([
    [1, 2],
    [9, 1],
    [3, 17],
  ] as const)('softmaxLoss › shape-%i-by-%i: dscores keeps the shape of scores', ([N, C]) => {
    const rng = variantRng(`07-babysitting/shapes-${N}x${C}`);
    const { loss, dscores } = softmaxLoss(randn([N, C], rng), labels(rng, N, C));
    expect(typeof loss).toBe('number');
    expect(dscores.shape).toEqual([N, C]);
  });

  test('overfitSmallData › report-out-of-steps-shape: one loss per step when the steps run out', () => {
    const report = overfitSmallData(scriptedTrainer([2, 1.9], [0.1, 0.2]), 7);
    expect(report.losses).toHaveLength(7);
    expect(report.steps).toBe(7);
  });
});

describe('values', () => {
  test.for(titled(casesFor<{ scores: Tensor; y: number[] }, { loss: number; dscores: Tensor }>(fixture, 'softmaxLoss')))('%s', ([, { args, expected }]) => {
    const { loss, dscores } = softmaxLoss(args.scores, args.y);
    expect(loss).toBeAllClose(expected.loss, { ...TOL, what: 'loss' });
    expect(dscores).toBeAllClose(expected.dscores, { ...TOL, what: 'dscores' });
  });

  test.for(titled(casesFor<{ numClasses: number }, { loss: number }>(fixture, 'expectedInitialLoss')))('%s', ([, { args, expected }]) => {
    expect(expectedInitialLoss(args.numClasses)).toBeAllClose(expected.loss, { ...TOL, what: 'expected initial loss' });
  });

  test.for(titled(casesFor<{ loss: number; numClasses: number; tolerance?: number }, { passed: boolean }>(fixture, 'checkInitialLoss')))('%s', ([, { args, expected }]) => {
    expect(checkInitialLoss(args.loss, args.numClasses, args.tolerance).passed).toBe(expected.passed);
  });

  test.for(titled(casesFor<{ points: RegularizationPoint[] }, { passed: boolean }>(fixture, 'checkRegularization')))('%s', ([, { args, expected }]) => {
    expect(checkRegularization(args.points).passed).toBe(expected.passed);
  });

  test.for(titled(casesFor<{ w: Tensor; update: Tensor }, { ratio: number }>(fixture, 'updateToWeightRatio')))('%s', ([, { args, expected }]) => {
    expect(updateToWeightRatio(args.w, args.update)).toBeAllClose(expected.ratio, { ...TOL, what: 'ratio' });
  });

  test.for(titled(casesFor<{ ratio: number }, { verdict: string }>(fixture, 'updateRatioVerdict')))('%s', ([, { args, expected }]) => {
    expect(updateRatioVerdict(args.ratio)).toBe(expected.verdict);
  });

  type OverfitArgs = { losses: (number | string)[]; accuracies: number[]; maxSteps: number };
  type OverfitExpected = Omit<OverfitReport, 'losses'> & { losses: (number | string)[] };
  test.for(titled(casesFor<OverfitArgs, OverfitExpected>(fixture, 'overfitSmallData')))('%s', ([, { args, expected }]) => {
    const report = overfitSmallData(scriptedTrainer(numbers(args.losses), args.accuracies), args.maxSteps);
    expectReport(report, { ...expected, losses: numbers(expected.losses) });
  });

  type History = { loss: (number | string)[]; trainAcc: number[]; valAcc: number[] };
  type Numbers = { start: number | string; end: number | string; early: number | string; firstGap: number | string; lastGap: number | string };
  test.for(titled(casesFor<{ history: History }, Numbers & { diagnosis: string }>(fixture, 'diagnoseTraining')))('%s', ([, { args, expected }]) => {
    const result = diagnoseTraining({ ...args.history, loss: numbers(args.history.loss) });
    expectNumbers(result, { start: Number(expected.start), end: Number(expected.end), early: Number(expected.early), firstGap: Number(expected.firstGap), lastGap: Number(expected.lastGap) });
    expect(result.diagnosis).toBe(expected.diagnosis);
  });
});

describe('properties', () => {
  test('softmaxLoss › int32-labels: labels as an Int32Array give the same result as a plain array', () => {
    const rng = variantRng('07-babysitting/int32');
    const scores = randn([5, 4], rng);
    const y = labels(rng, 5, 4);
    const a = softmaxLoss(scores, y);
    const b = softmaxLoss(scores, Int32Array.from(y));
    expect(b.loss).toBeAllClose(a.loss, { rtol: 0, atol: 0, what: 'loss' });
    expect(b.dscores).toBeAllClose(a.dscores, { rtol: 0, atol: 0, what: 'dscores' });
  });

  test('softmaxLoss › extreme-rows-finite: rows of scores near ±1e5 give a finite loss and finite dscores', () => {
    const rng = variantRng('07-babysitting/extreme');
    const scores = map(randn([4, 5], rng), (v, k) => (Math.floor(k / 5) % 2 === 0 ? 1e5 : -1e5) + 100 * v);
    const { loss, dscores } = softmaxLoss(scores, [0, 1, 2, 3]);
    expect(Number.isFinite(loss), `loss ${loss}`).toBe(true);
    expect(dscores.data.every(Number.isFinite), 'every entry of dscores finite').toBe(true);
  });

  test('checkInitialLoss › agrees-with-expected-loss: the expected initial loss of any C passes with tolerance 0', () => {
    for (const C of [2, 3, 10, 37]) expect(checkInitialLoss(expectedInitialLoss(C), C, 0).passed, `C = ${C}`).toBe(true);
  });

  test('checkRegularization › many-points-shuffled: 8 rising points in a shuffled order pass, with one dip they fail', () => {
    const rng = variantRng('07-babysitting/many-points');
    const rising = [0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 1].map((reg) => ({ reg, loss: 2.3 + 4 * reg }));
    expect(checkRegularization(rng.shuffle(rising)).passed, 'rising').toBe(true);
    const dip = rising.map((p, i) => (i === 5 ? { ...p, loss: 2.2 } : p));
    expect(checkRegularization(rng.shuffle(dip)).passed, 'with a dip').toBe(false);
  });

  test('updateToWeightRatio › nan-weights: weights holding NaN give a ratio the verdict calls too high', () => {
    const w = { shape: [3], data: Float64Array.of(1, NaN, 2) };
    expect(updateRatioVerdict(updateToWeightRatio(w, zeros([3])))).toBe('too-high');
  });

  test('overfitSmallData › accuracy-every-step: the accuracy is measured after each of 5 finite steps, and the loop then stops', () => {
    let measured = 0;
    const trainer = {
      step: (s: number) => 2 / s,
      accuracy: (s: number) => {
        measured++;
        return s >= 5 ? 1 : 0.5;
      },
    };
    const report = overfitSmallData(trainer, 100);
    expect(report.steps).toBe(5);
    expect(measured).toBe(5);
  });

  test('overfitSmallData › default-max-steps: without maxSteps the loop stops after 200 steps', () => {
    const report = overfitSmallData(scriptedTrainer([2.3], [0.1]));
    expect(report.stopped).toBe('out-of-steps');
    expect(report.steps).toBe(200);
  });

  test('diagnoseTraining › scale-invariant: multiplying every loss by 0.01 keeps each of four curves’ diagnosis', () => {
    const rng = variantRng('07-babysitting/scale');
    const acc = accuracies(6, 0.1, 0.9, 0.85);
    const curves: TrainingHistory[] = [
      { loss: curve(rng, 80, (t) => 0.3 + 2 * Math.exp(-t / 0.1)), ...acc },
      { loss: curve(rng, 80, (t) => 2.3 - 0.1 * t, 0.001), ...acc },
      { loss: curve(rng, 80, (t) => (t < 0.5 ? 2.3 : 0.5), 0.005), ...acc },
      { loss: curve(rng, 80, (t) => 2.3 * (1 + t)), ...acc },
    ];
    for (const h of curves) expect(diagnoseTraining({ ...h, loss: h.loss.map((v) => 0.01 * v) }).diagnosis).toBe(reference.diagnoseTraining(h).diagnosis);
  });
});

describe('gradients', () => {
  test.for([
    [6, 3],
    [2, 8],
  ] as const)('softmaxLoss › numerical-gradient-%ix%i: dscores matches the numerical gradient of the loss', ([N, C]) => {
    const rng = variantRng(`07-babysitting/grad-${N}x${C}`);
    const scores = map(randn([N, C], rng), (v) => 1.5 * v);
    const y = labels(rng, N, C);
    const numerical = numericalGradientOf(reference.softmaxLoss, [scores, y], { wrt: 0, output: ['loss'] });
    expect(relError(softmaxLoss(scores, y).dscores, numerical), 'relative error of dscores').toBeLessThan(GRAD_MAX_REL_ERROR);
  });
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
  const rng = variantRng('07-babysitting');
  const N = 3 + rng.randint(0, 6);
  const C = 2 + rng.randint(0, 9);
  const scores = map(randn([N, C], rng), (v) => 2 * v);
  const y = labels(rng, N, C);
  const w = randn([2 + rng.randint(0, 5), 3], rng);
  const update = map(randn(w.shape, rng), (v) => 10 ** -rng.randint(1, 5) * v);

  test('softmaxLoss › variant-loss: the loss and dscores of your personal scores', () => {
    const want = reference.softmaxLoss(scores, y);
    const got = softmaxLoss(scores, y);
    expect(got.loss).toBeAllClose(want.loss, { ...TOL, what: 'loss' });
    expect(got.dscores).toBeAllClose(want.dscores, { ...TOL, what: 'dscores' });
  });

  test('updateToWeightRatio › variant-ratio: the ratio and verdict of your personal update', () => {
    const ratio = updateToWeightRatio(w, update);
    expect(ratio).toBeAllClose(reference.updateToWeightRatio(w, update), { ...TOL, what: 'ratio' });
    expect(updateRatioVerdict(ratio)).toBe(reference.updateRatioVerdict(ratio));
  });

  test('overfitSmallData › variant-script: your personal training script', () => {
    const steps = 3 + rng.randint(0, 20);
    const losses = Array.from({ length: steps }, (_, i) => 2.3 * Math.exp(-i / 5));
    if (rng.uniform() < 0.3) losses[steps - 1] = NaN;
    const accs = Array.from({ length: steps }, (_, i) => Math.min(1, (i + 1) / (steps - rng.randint(0, 3))));
    const maxSteps = steps + rng.randint(-2, 3);
    expectReport(overfitSmallData(scriptedTrainer(losses, accs), maxSteps), reference.overfitSmallData(scriptedTrainer(losses, accs), maxSteps));
  });

  test('diagnoseTraining › variant-curve: your personal training curve', () => {
    // Clear cases only (each far from every threshold), so any correct order of arithmetic agrees.
    const kinds: (() => TrainingHistory)[] = [
      () => ({ loss: curve(rng, 90, (t) => 0.3 + 2 * Math.exp(-t / 0.12)), ...accuracies(8, 0.1, 0.9, 0.88) }),
      () => ({ loss: curve(rng, 90, (t) => 2.3 * Math.exp(2 * t)), ...accuracies(8, 0.1, 0.3, 0.3) }),
      () => ({ loss: curve(rng, 90, (t) => 2.3 - 0.05 * t, 0.002), ...accuracies(8, 0.1, 0.2, 0.2) }),
      () => ({ loss: curve(rng, 90, (t) => (t < 0.45 ? 2.3 : 0.4), 0.005), ...accuracies(8, 0.1, 0.9, 0.88) }),
      () => ({ loss: curve(rng, 90, (t) => 0.1 + 2 * Math.exp(-t / 0.1)), ...accuracies(8, 0.1, 0.99, 0.75) }),
    ];
    const history = kinds[rng.randint(0, kinds.length)]!();
    const { diagnosis, ...want } = reference.diagnoseTraining(history);
    const got = diagnoseTraining(history);
    expectNumbers(got, want);
    expect(got.diagnosis).toBe(diagnosis);
  });
});
