/**
 * Fixture cases for exercise 07 (babysitting). Each case exists to catch a specific mistake; the
 * description says which. Curves for `diagnoseTraining` are synthetic, with seeded noise, and every
 * one is checked to sit at least 1e-3 (relative) away from each threshold its verdict depends on,
 * so no order of summation can flip it. Losses that are not finite are written as the strings
 * 'NaN', 'Infinity' and '-Infinity' (JSON has no such numbers); the suites read them with Number().
 */
import { createRng, map, randn, type Rng, type Tensor } from '../../../lib/index.ts';
import {
  checkInitialLoss,
  checkRegularization,
  diagnoseTraining,
  expectedInitialLoss,
  overfitSmallData,
  softmaxLoss,
  updateRatioVerdict,
  updateToWeightRatio,
  type RegularizationPoint,
  type TrainingDiagnosis,
  type TrainingHistory,
} from '../../../solutions/07-babysitting/babysitting.ts';
import { scriptedTrainer } from '../../../lib/testing/functions.ts';
import type { CaseSpec, FixtureSpec } from '../../fixtures/generate.ts';
import type { JsonInput } from '../../fixtures/format.ts';

/** Non-finite numbers as JSON strings. */
export const encodeNumbers = (values: readonly number[]): (number | string)[] => values.map((v) => (Number.isFinite(v) ? v : String(v)));

function labels(rng: Rng, N: number, C: number): number[] {
  return Array.from({ length: N }, () => rng.randint(0, C));
}

function softmaxCase(id: string, description: string, scores: Tensor, y: number[]): CaseSpec {
  const { loss, dscores } = softmaxLoss(scores, y);
  return { id, fn: 'softmaxLoss', description, args: { scores, y }, expected: { loss, dscores } };
}

function overfitCase(id: string, description: string, losses: number[], accuracies: number[], maxSteps: number): CaseSpec {
  const report = overfitSmallData(scriptedTrainer(losses, accuracies), maxSteps);
  return {
    id,
    fn: 'overfitSmallData',
    description,
    args: { losses: encodeNumbers(losses), accuracies, maxSteps },
    expected: { ...report, losses: encodeNumbers(report.losses) } as unknown as { [k: string]: JsonInput },
  };
}

/** The comparisons diagnoseTraining makes, in rule order, on the numbers it returns. */
function thresholds(d: Omit<TrainingDiagnosis, 'diagnosis'>, epochs: number): { rule: number; name: string; lhs: number; rhs: number }[] {
  return [
    { rule: 1, name: 'end > start', lhs: d.end, rhs: d.start },
    { rule: 2, name: 'end > 0.9 · start', lhs: d.end, rhs: 0.9 * d.start },
    { rule: 3, name: 'start − early < 0.1 · (start − end)', lhs: d.start - d.early, rhs: 0.1 * (d.start - d.end) },
    { rule: 4, name: 'lastGap > 0.1', lhs: d.lastGap, rhs: 0.1 },
    // With one epoch the first gap is the last one: equal in every implementation, never close to flipping.
    ...(epochs > 1 ? [{ rule: 4, name: 'lastGap > firstGap', lhs: d.lastGap, rhs: d.firstGap }] : []),
  ];
}

const RULE: Record<string, number> = { 'lr-too-high': 1, 'lr-too-low': 2, 'bad-init': 3, overfitting: 4, healthy: 5 };

function diagnoseCase(id: string, description: string, history: TrainingHistory, want?: string): CaseSpec {
  const result = diagnoseTraining(history);
  if (want !== undefined && result.diagnosis !== want) throw new Error(`fixture ${id}: the curve is meant to be '${want}', the reference says '${result.diagnosis}'`);
  if (history.loss.every(Number.isFinite)) {
    // Every comparison up to the rule that decided must be clear of its threshold.
    for (const t of thresholds(result, history.trainAcc.length).filter((t) => t.rule <= RULE[result.diagnosis]!)) {
      const scale = Math.max(Math.abs(t.lhs), Math.abs(t.rhs), 1e-3);
      if (Math.abs(t.lhs - t.rhs) < 1e-3 * scale) throw new Error(`fixture ${id}: ${t.name} is within 1e-3 of its threshold (${t.lhs} vs ${t.rhs})`);
    }
  }
  const { diagnosis, ...numbers } = result;
  const [start, end, early, firstGap, lastGap] = encodeNumbers([numbers.start, numbers.end, numbers.early, numbers.firstGap, numbers.lastGap]);
  return {
    id,
    fn: 'diagnoseTraining',
    description,
    args: { history: { loss: encodeNumbers(history.loss), trainAcc: [...history.trainAcc], valAcc: [...history.valAcc] } },
    expected: { diagnosis, start: start!, end: end!, early: early!, firstGap: firstGap!, lastGap: lastGap! },
  };
}

/** n losses `f(t)` for t = i / (n − 1) in [0, 1], with multiplicative noise of relative size `noise`. */
export function curve(rng: Rng, n: number, f: (t: number) => number, noise = 0.02): number[] {
  return Array.from({ length: n }, (_, i) => f(i / (n - 1)) * (1 + noise * rng.randn()));
}

/** Accuracy curves per epoch: train rises to `trainTo`, validation to `valTo`, both from `from`. */
export function accuracies(epochs: number, from: number, trainTo: number, valTo: number): { trainAcc: number[]; valAcc: number[] } {
  const rise = (to: number): number[] => Array.from({ length: epochs }, (_, e) => from + (to - from) * (1 - Math.exp((-4 * e) / Math.max(1, epochs - 1))));
  return { trainAcc: rise(trainTo), valAcc: rise(valTo) };
}

const decay = (tau: number, floor = 0.3, top = 2.3) => (t: number) => floor + (top - floor) * Math.exp(-t / tau);

function publicCases(rng: Rng): CaseSpec[] {
  const cases: CaseSpec[] = [];
  cases.push(softmaxCase('softmax-basic', 'a 4 × 5 batch of random scores', randn([4, 5], rng), labels(rng, 4, 5)));
  cases.push(softmaxCase('softmax-near-zero', 'scores of a freshly initialized net (≈ 1e-3): the loss is close to ln 10', map(randn([6, 10], rng), (v) => 1e-3 * v), labels(rng, 6, 10)));
  cases.push(
    softmaxCase(
      'softmax-large-scores',
      'scores around ±1000: exp overflows unless each row is shifted by its maximum first',
      map(randn([3, 4], rng), (v, k) => 1000 * (k % 2 === 0 ? 1 : -1) + 5 * v),
      labels(rng, 3, 4),
    ),
  );
  cases.push(softmaxCase('softmax-one-row', 'a single row: the mean over N = 1 is that row', randn([1, 3], rng), [2]));

  for (const C of [10, 2, 1000]) cases.push({ id: `initial-loss-${C}`, fn: 'expectedInitialLoss', description: `${C} classes`, args: { numClasses: C }, expected: { loss: expectedInitialLoss(C) } });

  const initial = (id: string, description: string, loss: number, numClasses: number, tolerance?: number): CaseSpec => ({
    id,
    fn: 'checkInitialLoss',
    description,
    args: tolerance === undefined ? { loss, numClasses } : { loss, numClasses, tolerance },
    expected: { passed: checkInitialLoss(loss, numClasses, tolerance).passed },
  });
  cases.push(initial('initial-exact', 'exactly ln 10 passes', Math.log(10), 10));
  cases.push(initial('initial-above-inside', '2.40 for 10 classes is within 5 % of ln 10 = 2.303', 2.4, 10));
  cases.push(initial('initial-above-outside', '2.45 for 10 classes is more than 5 % above ln 10', 2.45, 10));
  cases.push(initial('initial-below-inside', '2.20 for 10 classes is within 5 % below ln 10', 2.2, 10));
  cases.push(initial('initial-below-outside', '2.15 for 10 classes is more than 5 % below ln 10: too good to be true', 2.15, 10));
  cases.push(initial('initial-log10', 'a loss of 1.0 for 10 classes fails (it is log₁₀ 10, not ln 10)', 1, 10));
  cases.push(initial('initial-relative', '2.36 for 10 classes: 0.057 away, inside 5 % of 2.303 (0.115), though more than 0.05', 2.36, 10));
  cases.push(initial('initial-custom-tolerance', 'tolerance 0.2 admits 2.7 for 10 classes', 2.7, 10, 0.2));

  const reg = (id: string, description: string, points: RegularizationPoint[]): CaseSpec => ({
    id,
    fn: 'checkRegularization',
    description,
    args: { points: points.map((p) => ({ ...p })) },
    expected: { passed: checkRegularization(points).passed },
  });
  cases.push(reg('reg-rising', 'the loss rises with reg 0 → 0.1 → 1', [{ reg: 0, loss: 2.3 }, { reg: 0.1, loss: 2.9 }, { reg: 1, loss: 8.4 }]));
  cases.push(reg('reg-unordered', 'the same points in another order still pass: order by reg first', [{ reg: 1, loss: 8.4 }, { reg: 0, loss: 2.3 }, { reg: 0.1, loss: 2.9 }]));
  cases.push(reg('reg-flat', 'the loss does not move: the regularization term is missing', [{ reg: 0, loss: 2.3 }, { reg: 1, loss: 2.3 }]));
  cases.push(reg('reg-dip', 'the loss rises overall but dips in the middle', [{ reg: 0, loss: 2.3 }, { reg: 0.1, loss: 2.2 }, { reg: 1, loss: 8.4 }]));

  const wr = createRng(`${rng.seed}/ratio`);
  const ratio = (id: string, description: string, w: Tensor, update: Tensor): CaseSpec => ({
    id,
    fn: 'updateToWeightRatio',
    description,
    args: { w, update },
    expected: { ratio: updateToWeightRatio(w, update) },
  });
  cases.push(ratio('ratio-sgd-step', 'an SGD step of size 1e-3 · dw on a [20, 10] weight', randn([20, 10], wr), map(randn([20, 10], wr), (v) => -1e-3 * v)));
  cases.push(ratio('ratio-large-step', 'an update as large as the weights', randn([5], wr), randn([5], wr)));

  for (const [id, ratio, what] of [
    ['verdict-low', 3e-5, '3e-5 is below 1e-4'],
    ['verdict-low-edge', 1e-4, '1e-4 is the lowest healthy ratio'],
    ['verdict-healthy', 1.2e-3, '1.2e-3 is about the lecture’s 1e-3'],
    ['verdict-high-edge', 1e-2, '1e-2 is the highest healthy ratio'],
    ['verdict-high', 0.3, '0.3 is far above 1e-3'],
  ] as const) {
    cases.push({ id, fn: 'updateRatioVerdict', description: what, args: { ratio }, expected: { verdict: updateRatioVerdict(ratio) } });
  }

  cases.push(overfitCase('overfit-memorizes', 'the accuracy reaches 1 after step 7: stop there', [2.3, 1.9, 1.4, 1.0, 0.7, 0.4, 0.2, 0.1], [0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1, 1], 50));
  cases.push(overfitCase('overfit-almost', '0.98 is not 100 %: keep going until it is', [2.3, 1.5, 0.9, 0.5, 0.3], [0.2, 0.6, 0.9, 0.98, 1], 20));
  cases.push(overfitCase('overfit-nan', 'the loss becomes NaN at step 3: stop, diverged', [2.3, 40, NaN], [0.1, 0.1, 0.1], 20));
  cases.push(overfitCase('overfit-infinity', 'the loss becomes Infinity at step 4: stop, diverged', [2.3, 30, 900, Infinity], [0.1, 0.1, 0.1, 0.1], 20));
  cases.push(overfitCase('overfit-stalls', 'the loss barely moves: 12 steps, then out of steps', [2.3026, 2.3025, 2.3024], [0.1, 0.12, 0.14], 12));
  cases.push(overfitCase('overfit-last-step', 'the accuracy reaches 1 on exactly the last allowed step', [2, 1, 0.5, 0.2], [0.2, 0.5, 0.8, 1], 4));

  const cr = createRng(`${rng.seed}/curves`);
  const acc = accuracies(10, 0.1, 0.95, 0.92);
  cases.push(diagnoseCase('curve-healthy', 'a loss that decays quickly, train and validation accuracy close', { loss: curve(cr, 200, decay(0.15)), ...acc }, 'healthy'));
  const explode = curve(cr, 100, (t) => 2.3 * Math.exp(3 * t));
  cases.push(diagnoseCase('curve-explodes', 'the loss grows from 2.3 to 46: the learning rate is too high', { loss: explode, ...acc }, 'lr-too-high'));
  const nan = curve(cr, 100, decay(0.3));
  nan[60] = NaN;
  cases.push(diagnoseCase('curve-nan', 'one loss is NaN, and validation accuracy lags far behind: the NaN decides', { loss: nan, ...accuracies(10, 0.1, 0.97, 0.7) }, 'lr-too-high'));
  const inf = curve(cr, 100, decay(0.2));
  inf[40] = Infinity;
  cases.push(diagnoseCase('curve-infinity', 'one loss is Infinity, away from both end windows', { loss: inf, ...acc }, 'lr-too-high'));
  cases.push(diagnoseCase('curve-too-low', 'the loss falls from 2.30 to 2.25 in 300 iterations: the learning rate is too low', { loss: curve(cr, 300, (t) => 2.3 - 0.05 * t, 0.005), ...accuracies(10, 0.1, 0.2, 0.19) }, 'lr-too-low'));
  cases.push(diagnoseCase('curve-bad-init', 'flat for 40 % of the run, then a steep drop', { loss: curve(cr, 200, (t) => (t < 0.4 ? 2.3 : 0.3 + 2 * Math.exp(-(t - 0.4) / 0.05)), 0.01), ...acc }, 'bad-init'));
  cases.push(diagnoseCase('curve-overfitting', 'training accuracy reaches 99 % while validation stays at 80 %', { loss: curve(cr, 200, decay(0.1, 0.05)), ...accuracies(10, 0.1, 0.99, 0.8) }, 'overfitting'));
  const spike = curve(cr, 100, decay(0.15), 0.01);
  spike[99] = 3;
  cases.push(diagnoseCase('curve-last-spike', 'one noisy last loss above the first: the last-10 window still fell far, so it is healthy', { loss: spike, ...acc }, 'healthy'));
  const borderLow = curve(cr, 100, (t) => 2.3 - 0.265 * t, 0);
  cases.push(diagnoseCase('curve-fell-just-over-10-percent', 'the loss fell by about 10.5 %: not too low', { loss: borderLow, ...acc }, 'healthy'));
  const gap = accuracies(10, 0.1, 0.9, 0.9);
  gap.valAcc[9] = gap.trainAcc[9]! - 0.105;
  cases.push(diagnoseCase('curve-gap-just-over', 'the last gap is 0.105, up from 0: overfitting', { loss: curve(cr, 100, decay(0.2)), ...gap }, 'overfitting'));
  const outlier = curve(cr, 35, (t) => 2.3 - 1.5 * t, 0);
  outlier[3] = 0.2;
  cases.push(diagnoseCase('curve-window-rounded-down', '35 losses: windows of k = ⌊35/10⌋ = 3, so the outlier at index 3 is in no window', { loss: outlier, ...acc }, 'healthy'));
  cases.push(diagnoseCase('curve-small-loss', 'from 0.40 to 0.33: a drop of only 0.07, but 17 % of the loss: not too low', { loss: curve(cr, 100, (t) => 0.33 + 0.07 * Math.exp(-t / 0.15), 0.002), ...acc }, 'healthy'));
  return cases;
}

function hiddenCases(rng: Rng): CaseSpec[] {
  const cases: CaseSpec[] = [];
  cases.push(softmaxCase('softmax-many-classes', '2 × 100 scores', randn([2, 100], rng), labels(rng, 2, 100)));
  cases.push(softmaxCase('softmax-very-negative', 'scores around −800 in every class: e^s underflows to 0 without the shift', map(randn([4, 6], rng), (v) => -800 + v), labels(rng, 4, 6)));
  cases.push(softmaxCase('softmax-confident', 'the correct class far ahead: the loss is tiny but positive', map(randn([5, 3], rng), (v, k) => v + (k % 3 === 0 ? 30 : 0)), [0, 0, 0, 0, 0]));
  cases.push(softmaxCase('softmax-two-classes', 'C = 2, 7 rows', randn([7, 2], rng), labels(rng, 7, 2)));
  cases.push({ id: 'initial-loss-1', fn: 'expectedInitialLoss', description: 'a single class: nothing to learn, loss 0', args: { numClasses: 1 }, expected: { loss: expectedInitialLoss(1) } });
  cases.push({ id: 'initial-loss-200', fn: 'expectedInitialLoss', description: '200 classes (Tiny ImageNet)', args: { numClasses: 200 }, expected: { loss: expectedInitialLoss(200) } });
  for (const [id, loss, C, tol, what] of [
    ['initial-two-classes-inside', 0.72, 2, undefined, '0.72 for 2 classes is within 5 % of ln 2'],
    ['initial-two-classes-outside', 0.75, 2, undefined, '0.75 for 2 classes is more than 5 % away from ln 2'],
    ['initial-zero-tolerance', 2.31, 10, 0, 'tolerance 0 admits nothing but ln C itself'],
    ['initial-cifar100', 4.5, 100, undefined, 'ln 100 = 4.605: 4.5 is within 5 %'],
    ['initial-log2', 3.32, 10, undefined, 'log₂ 10 = 3.32 is not ln 10'],
  ] as const) {
    cases.push({ id, fn: 'checkInitialLoss', description: what, args: tol === undefined ? { loss, numClasses: C } : { loss, numClasses: C, tolerance: tol }, expected: { passed: checkInitialLoss(loss, C, tol).passed } });
  }
  for (const [id, points, what] of [
    ['reg-two-points', [{ reg: 0.5, loss: 3 }, { reg: 0, loss: 2.3 }], 'two points, given largest reg first'],
    ['reg-falling', [{ reg: 0, loss: 3 }, { reg: 1, loss: 2.3 }], 'the loss falls as reg rises: the sign of the penalty is wrong'],
    ['reg-five-rising', [0, 1e-3, 1e-2, 1e-1, 1].map((r) => ({ reg: r, loss: 2.3 + 5 * r })), 'five strengths, rising'],
    ['reg-last-equal', [{ reg: 0, loss: 2.3 }, { reg: 0.1, loss: 2.5 }, { reg: 1, loss: 2.5 }], 'the last two losses are equal'],
  ] as const) {
    cases.push({ id, fn: 'checkRegularization', description: what, args: { points: points as unknown as JsonInput }, expected: { passed: checkRegularization(points as readonly RegularizationPoint[]).passed } });
  }
  const wr = createRng(`${rng.seed}/ratio`);
  for (const [id, shape, scale, what] of [
    ['ratio-conv-filters', [4, 3, 3, 3], 1e-4, 'a [4, 3, 3, 3] filter bank, a small step'],
    ['ratio-vector', [50], 0.05, 'a bias vector, a large step'],
  ] as const) {
    const w = randn(shape, wr);
    const update = map(randn(shape, wr), (v) => scale * v);
    cases.push({ id, fn: 'updateToWeightRatio', description: what, args: { w, update }, expected: { ratio: updateToWeightRatio(w, update) } });
  }
  for (const [id, ratio, what] of [
    ['verdict-tiny', 1e-9, 'a vanishing update'],
    ['verdict-just-below', 9.9e-5, 'just below 1e-4'],
    ['verdict-just-above', 1.01e-2, 'just above 1e-2'],
    ['verdict-zero', 0, 'no update at all'],
  ] as const) {
    cases.push({ id, fn: 'updateRatioVerdict', description: what, args: { ratio }, expected: { verdict: updateRatioVerdict(ratio) } });
  }
  cases.push(overfitCase('overfit-first-step-nan', 'the very first loss is NaN: no accuracy was measured, so it reports 0', [NaN], [0.5], 10));
  // NOTE: losses and accuracies with many digits: the grading tests look for every hidden expected
  // value in what students receive, and a short one (0.5) turns up there by coincidence.
  cases.push(overfitCase('overfit-negative-infinity', 'a loss of −Infinity is not finite either', [Math.log(10), Math.log(3), -Infinity], [1 / 7, 2 / 7, 2 / 7], 10));
  cases.push(overfitCase('overfit-one-step', 'maxSteps 1 and the accuracy is 1 after it', [Math.log(1.1)], [1], 1));
  cases.push(overfitCase('overfit-reaches-then-drops', 'the accuracy touches 1 at step 3, later it would drop: stop at 3', [Math.log(8), Math.log(3), Math.log(1.7), Math.log(1.5)], [1 / 3, 5 / 6, 1, 6 / 7], 10));
  cases.push(overfitCase('overfit-nan-after-long-run', '30 slow steps, then NaN', [...Array.from({ length: 30 }, (_, i) => Math.log(10) * Math.exp(-i / 40)), NaN], Array.from({ length: 31 }, () => 1 / 3), 40));

  const cr = createRng(`${rng.seed}/curves`);
  const acc = accuracies(12, 0.1, 0.9, 0.88);
  const inf = curve(cr, 120, decay(0.2));
  inf[50] = Infinity;
  cases.push(diagnoseCase('curve-infinity-middle', 'an Infinity in the middle, outside both end windows', { loss: inf, ...acc }, 'lr-too-high'));
  const nanGap = curve(cr, 80, decay(0.2));
  nanGap[79] = NaN;
  cases.push(diagnoseCase('curve-nan-and-gap', 'a NaN loss and a large accuracy gap: the NaN decides', { loss: nanGap, ...accuracies(8, 0.1, 0.99, 0.6) }, 'lr-too-high'));
  cases.push(diagnoseCase('curve-went-up-slightly', 'the end window is 3 % above the start window', { loss: curve(cr, 60, (t) => 2.3 + 0.07 * t, 0), ...acc }, 'lr-too-high'));
  cases.push(diagnoseCase('curve-fell-9-percent', 'the loss fell by 9 %: too low', { loss: curve(cr, 60, (t) => 2.3 - 0.21 * t, 0), ...acc }, 'lr-too-low'));
  cases.push(diagnoseCase('curve-large-loss-small-drop', 'from 50 to 48.5: a drop of 1.5 is only 3 %', { loss: curve(cr, 100, (t) => 50 - 1.5 * t, 0.001), ...acc }, 'lr-too-low'));
  cases.push(diagnoseCase('curve-small-loss-drop', 'from 0.5 to 0.2: a drop of 0.3 is 60 %', { loss: curve(cr, 100, decay(0.2, 0.2, 0.5), 0.01), ...acc }, 'healthy'));
  cases.push(diagnoseCase('curve-short-plateau', 'flat for 15 % of the run, then a drop: healthy', { loss: curve(cr, 200, (t) => (t < 0.15 ? 2.3 : 0.3 + 2 * Math.exp(-(t - 0.15) / 0.05)), 0.01), ...acc }, 'healthy'));
  cases.push(diagnoseCase('curve-linear-descent', 'a straight line down: a quarter of the progress by a quarter of the run', { loss: curve(cr, 100, (t) => 2.3 - 1.8 * t, 0.005), ...acc }, 'healthy'));
  const windowed = curve(cr, 25, (t) => 2.3 - 1.5 * t, 0.001);
  windowed[2] = 0.5;
  cases.push(diagnoseCase('curve-window-of-two', '25 losses: windows of k = ⌊25/10⌋ = 2; the third loss is an outlier the start window must not include', { loss: windowed, ...acc }, 'healthy'));
  const gapShrinks = accuracies(10, 0.1, 0.9, 0.6);
  gapShrinks.trainAcc[0] = 0.9;
  gapShrinks.valAcc[0] = 0.3;
  cases.push(diagnoseCase('curve-gap-shrinks', 'a gap of 0.3 that started at 0.6: large but shrinking', { loss: curve(cr, 100, decay(0.2)), ...gapShrinks }, 'healthy'));
  const justUnder = accuracies(10, 0.1, 0.9, 0.9);
  justUnder.valAcc[9] = justUnder.trainAcc[9]! - 0.095;
  cases.push(diagnoseCase('curve-gap-just-under', 'the last gap is 0.095: not yet overfitting', { loss: curve(cr, 100, decay(0.2)), ...justUnder }, 'healthy'));
  cases.push(diagnoseCase('curve-single-epoch', 'one epoch of accuracies: a gap cannot grow', { loss: curve(cr, 50, decay(0.2)), trainAcc: [0.98716683], valAcc: [0.60422961] }, 'healthy'));
  return cases;
}

export const spec: FixtureSpec = { exercise: '07-babysitting', public: publicCases, hidden: hiddenCases };
