/**
 * Exercise 07's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * Expected values come from the reference; the numerical gradient from the reference loss, so a
 * forward mistake is not counted twice.
 */
import { expect } from 'vitest';
import { map, randn, type Rng } from '../../../lib/index.ts';
import { scriptedTrainer } from '../../../lib/testing/functions.ts';
import { numericalGradientOf, relError } from '../../../lib/testing/gradcheck.ts';
import * as reference from '../../../solutions/07-babysitting/babysitting.ts';
import type { OverfitReport, TrainingDiagnosis, TrainingHistory } from '../../../solutions/07-babysitting/babysitting.ts';
import { rngFor, type VariantCheck } from '../variants.ts';
import { accuracies, curve } from './fixtures.ts';
import { expectNumbers, expectReport, TOL } from '../../../lib/testing/checks/07-babysitting.ts';

export type BabysittingModule = typeof reference;
type Check = VariantCheck<BabysittingModule>;

/**
 * dscores entries here are ≥ 1e-4 (scores of spread 1.5 over ≤ 8 classes); centred differences
 * (h = 1e-5) of the reference loss carry ~1e-10 truncation and ~1e-11 rounding, so a correct
 * gradient lands near 1e-8 relative. A missing 1/N or one-hot term is off by 0.3 or more.
 */
const GRAD_MAX_REL_ERROR = 1e-6;

function labels(rng: Rng, N: number, C: number): number[] {
  return Array.from({ length: N }, () => rng.randint(0, C));
}

const shapes: Check[] = (
  [
    [1, 2],
    [9, 1],
    [3, 17],
  ] as const
).map(([N, C]) => ({
  group: 'shapes',
  fn: 'softmaxLoss',
  id: `shape-${N}-by-${C}`,
  description: 'dscores keeps the shape of scores',
  run: (mod, seed) => {
    const rng = rngFor(seed, `07-babysitting/shapes-${N}x${C}`);
    const { loss, dscores } = mod.softmaxLoss(randn([N, C], rng), labels(rng, N, C));
    expect(typeof loss).toBe('number');
    expect(dscores).toHaveShape([N, C], 'dscores');
  },
}));

const properties: Check[] = [
  {
    group: 'properties',
    fn: 'softmaxLoss',
    id: 'int32-labels',
    description: 'labels as an Int32Array give the same result as a plain array',
    run: (mod, seed) => {
      const rng = rngFor(seed, '07-babysitting/int32');
      const scores = randn([5, 4], rng);
      const y = labels(rng, 5, 4);
      const a = mod.softmaxLoss(scores, y);
      const b = mod.softmaxLoss(scores, Int32Array.from(y));
      // The same numbers in the same order: any implementation gives bit-identical results.
      expect(b.loss).toBeAllClose(a.loss, { rtol: 0, atol: 0, what: 'loss' });
      expect(b.dscores).toBeAllClose(a.dscores, { rtol: 0, atol: 0, what: 'dscores' });
    },
  },
  {
    group: 'properties',
    fn: 'softmaxLoss',
    id: 'extreme-rows-finite',
    description: 'rows of scores near ±1e5 give a finite loss and finite dscores',
    run: (mod, seed) => {
      const rng = rngFor(seed, '07-babysitting/extreme');
      const scores = map(randn([4, 5], rng), (v, k) => (Math.floor(k / 5) % 2 === 0 ? 1e5 : -1e5) + 100 * v);
      const { loss, dscores } = mod.softmaxLoss(scores, [0, 1, 2, 3]);
      expect(Number.isFinite(loss), `loss ${loss}`).toBe(true);
      expect(dscores.data.every(Number.isFinite), 'every entry of dscores finite').toBe(true);
    },
  },
  {
    group: 'properties',
    fn: 'checkRegularization',
    id: 'many-points-shuffled',
    description: '8 rising points in a shuffled order pass, with one dip they fail',
    run: (mod, seed) => {
      const rng = rngFor(seed, '07-babysitting/many-points');
      const rising = [0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 1].map((reg) => ({ reg, loss: 2.3 + 4 * reg }));
      expect(mod.checkRegularization(rng.shuffle(rising)).passed, 'rising').toBe(true);
      const dip = rising.map((p, i) => (i === 5 ? { ...p, loss: 2.2 } : p));
      expect(mod.checkRegularization(rng.shuffle(dip)).passed, 'with a dip').toBe(false);
    },
  },
  {
    group: 'properties',
    fn: 'diagnoseTraining',
    id: 'scale-invariant',
    description: 'multiplying every loss by 0.01 keeps each of four curves’ diagnosis',
    run: (mod, seed) => {
      const rng = rngFor(seed, '07-babysitting/scale');
      const acc = accuracies(6, 0.1, 0.9, 0.85);
      const curves: TrainingHistory[] = [
        { loss: curve(rng, 80, (t) => 0.3 + 2 * Math.exp(-t / 0.1)), ...acc },
        { loss: curve(rng, 80, (t) => 2.3 - 0.1 * t, 0.001), ...acc },
        { loss: curve(rng, 80, (t) => (t < 0.5 ? 2.3 : 0.5), 0.005), ...acc },
        { loss: curve(rng, 80, (t) => 2.3 * (1 + t)), ...acc },
      ];
      for (const h of curves) expect(mod.diagnoseTraining({ ...h, loss: h.loss.map((v) => 0.01 * v) }).diagnosis).toBe(reference.diagnoseTraining(h).diagnosis);
    },
  },
];

const gradients: Check[] = (
  [
    [6, 3],
    [2, 8],
  ] as const
).map(([N, C]) => ({
  group: 'gradients',
  fn: 'softmaxLoss',
  id: `numerical-gradient-${N}x${C}`,
  description: 'dscores matches the numerical gradient of the loss',
  run: (mod, seed) => {
    const rng = rngFor(seed, `07-babysitting/grad-${N}x${C}`);
    const scores = map(randn([N, C], rng), (v) => 1.5 * v);
    const y = labels(rng, N, C);
    const numerical = numericalGradientOf(reference.softmaxLoss, [scores, y], { wrt: 0, output: ['loss'] });
    expect(relError(mod.softmaxLoss(scores, y).dscores, numerical), 'relative error of dscores').toBeLessThan(GRAD_MAX_REL_ERROR);
  },
}));

/** The student's personal scores and update: N from 3 to 8, C from 2 to 10. */
function personal(seed: string) {
  const rng = rngFor(seed, '07-babysitting');
  const N = 3 + rng.randint(0, 6);
  const C = 2 + rng.randint(0, 9);
  const scores = map(randn([N, C], rng), (v) => 2 * v);
  const y = labels(rng, N, C);
  const w = randn([2 + rng.randint(0, 5), 3], rng);
  const update = map(randn(w.shape, rng), (v) => 10 ** -rng.randint(1, 5) * v);
  return { scores, y, w, update };
}

const variants: Check[] = [
  {
    group: 'variants',
    fn: 'softmaxLoss',
    id: 'variant-loss',
    description: 'the loss and dscores of your personal scores',
    run: (mod, seed) => {
      const { scores, y } = personal(seed);
      const want = reference.softmaxLoss(scores, y);
      const got = mod.softmaxLoss(scores, y);
      expect(got.loss).toBeAllClose(want.loss, { ...TOL, what: 'loss' });
      expect(got.dscores).toBeAllClose(want.dscores, { ...TOL, what: 'dscores' });
    },
  },
  {
    group: 'variants',
    fn: 'updateToWeightRatio',
    id: 'variant-ratio',
    description: 'the ratio and verdict of your personal update',
    run: (mod, seed) => {
      const { w, update } = personal(seed);
      const ratio = mod.updateToWeightRatio(w, update);
      expect(ratio).toBeAllClose(reference.updateToWeightRatio(w, update), { ...TOL, what: 'ratio' });
      // Both verdicts read the same ratio, so only the verdict's rule is compared, never a rounding.
      expect(mod.updateRatioVerdict(ratio)).toBe(reference.updateRatioVerdict(ratio));
    },
  },
  {
    group: 'variants',
    fn: 'overfitSmallData',
    id: 'variant-script',
    description: 'your personal training script',
    run: (mod, seed) => {
      const rng = rngFor(seed, '07-babysitting/script');
      const steps = 3 + rng.randint(0, 20);
      const losses = Array.from({ length: steps }, (_, i) => 2.3 * Math.exp(-i / 5));
      if (rng.uniform() < 0.3) losses[steps - 1] = NaN;
      const accs = Array.from({ length: steps }, (_, i) => Math.min(1, (i + 1) / (steps - rng.randint(0, 3))));
      const maxSteps = steps + rng.randint(-2, 3);
      expectReport(mod.overfitSmallData(scriptedTrainer(losses, accs), maxSteps), reference.overfitSmallData(scriptedTrainer(losses, accs), maxSteps));
    },
  },
  {
    group: 'variants',
    fn: 'diagnoseTraining',
    id: 'variant-curve',
    description: 'your personal training curve',
    run: (mod, seed) => {
      const rng = rngFor(seed, '07-babysitting/curve');
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
      const got = mod.diagnoseTraining(history);
      expectNumbers(got, want);
      expect(got.diagnosis).toBe(diagnosis);
    },
  },
];

export const variantChecks: Check[] = [...shapes, ...properties, ...gradients, ...variants];
