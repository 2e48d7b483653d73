/**
 * Fixture cases for exercise 08 (hyperparameter search). Draws come from `createRng(seed)` with the
 * seed named in each case, so a case replays the same sequence in any implementation that follows
 * the documented draw order. Scores that are not finite (NaN for a diverged trial) are written as strings, read back with Number().
 */
import { createRng, type Rng } from '../../../lib/index.ts';
import {
  coarseToFine,
  gridSearch,
  logUniform,
  randomSearch,
  rankTrials,
  type CoarseToFineOptions,
  type Config,
  type Space,
  type TrialResult,
} from '../../../solutions/08-hyperparameter-search/hyperparameter-search.ts';
import type { JsonInput } from '../../fixtures/format.ts';
import type { CaseSpec, FixtureSpec } from '../../fixtures/generate.ts';

type Json = { [key: string]: JsonInput };
const json = (v: unknown): JsonInput => JSON.parse(JSON.stringify(v)) as JsonInput;
const results = (rs: readonly TrialResult[]): JsonInput => rs.map((r) => ({ config: { ...r.config }, score: Number.isFinite(r.score) ? r.score : String(r.score) }));

function logUniformCase(id: string, description: string, seed: string, lo: number, hi: number, count: number): CaseSpec {
  const rng = createRng(seed);
  const values = Array.from({ length: count }, () => logUniform(rng, lo, hi));
  return { id, fn: 'logUniform', description, args: { seed, lo, hi, count }, expected: { values } };
}

function randomCase(id: string, description: string, space: Space, trials: number, seed: string): CaseSpec {
  return { id, fn: 'randomSearch', description, args: { space: json(space), trials, seed }, expected: { configs: json(randomSearch(space, trials, createRng(seed))) } };
}

function gridCase(id: string, description: string, space: Space, perDimension: number): CaseSpec {
  return { id, fn: 'gridSearch', description, args: { space: json(space), perDimension }, expected: { configs: json(gridSearch(space, perDimension)) } };
}

function rankCase(id: string, description: string, trials: TrialResult[]): CaseSpec {
  return { id, fn: 'rankTrials', description, args: { results: results(trials) }, expected: { ranked: results(rankTrials(trials)) } };
}

function fineCase(id: string, description: string, trials: TrialResult[], space: Space, options?: CoarseToFineOptions): CaseSpec {
  const args: Json = { results: results(trials), space: json(space) };
  if (options) args['options'] = json(options);
  return { id, fn: 'coarseToFine', description, args, expected: { space: json(coarseToFine(trials, space, options)) } };
}

/** Trials of a space scored by a smooth function of their values, plus seeded noise. */
function scored(configs: Config[], score: (c: Config) => number, rng: Rng, noise = 0.01): TrialResult[] {
  return configs.map((config) => ({ config, score: score(config) + noise * rng.randn() }));
}

const LR_REG: Space = { learningRate: { kind: 'logUniform', lo: 1e-5, hi: 1e-1 }, reg: { kind: 'logUniform', lo: 1e-6, hi: 1e-1 } };
/** A validation accuracy that peaks at lr = 10^peak, reg = 1e-4, falling off in log space. */
const accuracyAround = (peak: number) => (c: Config) =>
  0.9 - 0.05 * (Math.log10(c['learningRate'] as number) - peak) ** 2 - 0.01 * (Math.log10(c['reg'] as number) + 4) ** 2;

function publicCases(rng: Rng): CaseSpec[] {
  const cases: CaseSpec[] = [];
  cases.push(logUniformCase('log-uniform-learning-rates', 'five learning rates between 1e-5 and 1e-1', 'lr-draws', 1e-5, 1e-1, 5));
  cases.push(logUniformCase('log-uniform-narrow', 'a narrow range, 0.5 to 2', 'narrow', 0.5, 2, 4));
  cases.push(logUniformCase('log-uniform-one-point', 'lo = hi: the draw is still made, the value is lo', 'point', 3e-4, 3e-4, 2));

  const mixed: Space = {
    learningRate: { kind: 'logUniform', lo: 1e-4, hi: 1e-2 },
    dropout: { kind: 'uniform', lo: 0.5, hi: 1 },
    optimizer: { kind: 'choice', values: ['sgd', 'momentum', 'adam'] },
    hidden: { kind: 'choice', values: [64, 128, 256, 512] },
  };
  cases.push(randomCase('random-lr-reg', 'four trials of learning rate and regularization, both log-uniform', LR_REG, 4, 'search-a'));
  cases.push(randomCase('random-mixed', 'log-uniform, uniform and two choice dimensions, drawn trial by trial in the order listed', mixed, 5, 'search-b'));

  cases.push(gridCase('grid-lr-reg', '3 × 3 log-spaced values of learning rate and regularization', LR_REG, 3));
  cases.push(gridCase('grid-mixed', 'a uniform and a choice dimension: 2 values × 3 choices, the first dimension slowest', { momentum: { kind: 'uniform', lo: 0.5, hi: 0.99 }, optimizer: { kind: 'choice', values: ['sgd', 'nesterov', 'adam'] } }, 2));

  const r = createRng(`${rng.seed}/trials`);
  const coarse = scored(randomSearch(LR_REG, 10, r), accuracyAround(-3), r);
  cases.push(rankCase('rank-scores', 'ten trials, best validation accuracy first', coarse));
  cases.push(
    rankCase('rank-ties-and-nan', 'equal scores keep their order; diverged trials (NaN) come last, in their order', [
      { config: { id: 'a' }, score: 0.5 },
      { config: { id: 'b' }, score: NaN },
      { config: { id: 'c' }, score: 0.7 },
      { config: { id: 'd' }, score: 0.5 },
      { config: { id: 'e' }, score: NaN },
      { config: { id: 'f' }, score: 0.9 },
    ]),
  );

  cases.push(fineCase('fine-around-best', 'ranges around the best 3 of 10 coarse trials, with a margin of 10 % of the old ranges', coarse, LR_REG));
  const edge = scored(randomSearch(LR_REG, 12, r), accuracyAround(-0.5), r);
  cases.push(fineCase('fine-best-at-edge', 'the best learning rates sit at the top of the range: the new range reaches beyond 1e-1', edge, LR_REG));
  const withChoice: Space = { learningRate: { kind: 'logUniform', lo: 1e-4, hi: 1e-2 }, optimizer: { kind: 'choice', values: ['sgd', 'momentum', 'rmsprop', 'adam'] } };
  const choiceTrials = scored(randomSearch(withChoice, 8, r), (c) => 0.8 + (c['optimizer'] === 'adam' ? 0.05 : c['optimizer'] === 'sgd' ? -0.2 : 0), r, 0.02);
  cases.push(fineCase('fine-choice', 'a choice dimension keeps the values the best 3 trials used, in the old order', choiceTrials, withChoice));
  cases.push(fineCase('fine-options', 'top 5 and a margin of 25 %', coarse, LR_REG, { top: 5, margin: 0.25 }));
  const diverged = coarse.map((t, i) => (i < 2 ? { ...t, score: NaN } : t));
  cases.push(fineCase('fine-with-nan', 'only 2 trials have a score: the new ranges come from those two', diverged.slice(0, 4), LR_REG));
  return cases;
}

function hiddenCases(rng: Rng): CaseSpec[] {
  const cases: CaseSpec[] = [];
  cases.push(logUniformCase('log-uniform-wide', 'twelve decades, 1e-9 to 1e3', 'wide', 1e-9, 1e3, 6));
  cases.push(logUniformCase('log-uniform-above-one', 'hidden sizes between 16 and 1024', 'sizes', 16, 1024, 5));
  const space: Space = {
    reg: { kind: 'logUniform', lo: 1e-7, hi: 1e-2 },
    keep: { kind: 'choice', values: [50, 75, 100] },
    momentum: { kind: 'uniform', lo: 0.8, hi: 0.99 },
    learningRate: { kind: 'logUniform', lo: 1e-4, hi: 3e-2 },
  };
  cases.push(randomCase('random-order-matters', 'dimensions listed out of alphabetical order: draws follow the listed order', space, 6, 'hidden-order'));
  cases.push(randomCase('random-one-choice', 'a single choice of 2 values, 8 trials', { init: { kind: 'choice', values: ['xavier', 'he'] } }, 8, 'hidden-choice'));
  cases.push(randomCase('random-zero-trials', 'no trials: an empty list, and no draws', LR_REG, 0, 'hidden-none'));
  // NOTE: ends with many digits (see the note in 07's fixtures): a grid of 1e-4 … 1e-1 would hold 0.1.
  cases.push(gridCase('grid-four-per-dimension', '4 × 4 log-spaced values', { learningRate: { kind: 'logUniform', lo: Math.PI * 1e-5, hi: Math.E * 1e-2 }, reg: { kind: 'logUniform', lo: Math.SQRT2 * 1e-6, hi: Math.LN2 * 1e-2 } }, 4));
  cases.push(gridCase('grid-three-dimensions', 'choice first, then two continuous dimensions, 2 values each', { optimizer: { kind: 'choice', values: ['adam', 'sgd'] }, momentum: { kind: 'uniform', lo: Math.PI / 30, hi: (0.9 * Math.E) / 3 }, learningRate: { kind: 'logUniform', lo: Math.PI * 1e-4, hi: Math.E * 1e-2 } }, 2));

  const r = createRng(`${rng.seed}/trials`);
  const trials = scored(randomSearch(LR_REG, 15, r), accuracyAround(-2), r);
  cases.push(rankCase('rank-fifteen', 'fifteen trials', trials));
  cases.push(rankCase('rank-all-nan', 'every trial diverged: the order is kept', [0, 1, 2].map((i) => ({ config: { i }, score: NaN }))));
  cases.push(rankCase('rank-infinite', 'scores of −Infinity and Infinity rank as numbers, above NaN', [{ config: { i: 0 }, score: -Infinity }, { config: { i: 1 }, score: NaN }, { config: { i: 2 }, score: Infinity }, { config: { i: 3 }, score: 0 }]));
  cases.push(fineCase('fine-low-edge', 'the best learning rates at the bottom of the range: the new range reaches below 1e-5', scored(randomSearch(LR_REG, 12, r), accuracyAround(-5.5), r), LR_REG));
  cases.push(fineCase('fine-uniform', 'a uniform dimension gets its margin in its own units', scored(randomSearch({ momentum: { kind: 'uniform', lo: 0.5, hi: 0.99 } }, 9, r), (c) => -(((c['momentum'] as number) - 0.9) ** 2), r, 0.001), { momentum: { kind: 'uniform', lo: 0.5, hi: 0.99 } }));
  cases.push(fineCase('fine-top-one', 'top 1, margin 0: a point', trials, LR_REG, { top: 1, margin: 0 }));
  cases.push(fineCase('fine-top-more-than-trials', 'top 10 of 4 trials uses all four', trials.slice(0, 4), LR_REG, { top: 10 }));
  return cases;
}

export const spec: FixtureSpec = { exercise: '08-hyperparameter-search', public: publicCases, hidden: hiddenCases };
