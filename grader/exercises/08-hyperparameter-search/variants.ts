/**
 * Exercise 08's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * Expected values come from the reference, run on the same generator state.
 */
import { expect } from 'vitest';
import { createRng } from '../../../lib/index.ts';
import * as reference from '../../../solutions/08-hyperparameter-search/hyperparameter-search.ts';
import type { Space } from '../../../solutions/08-hyperparameter-search/hyperparameter-search.ts';
import { rngFor, type VariantCheck } from '../variants.ts';
import { expectConfigs, expectSpace, rangeOf, TOL } from '../../../lib/testing/checks/08-hyperparameter-search.ts';

export type HyperparameterSearchModule = typeof reference;
type Check = VariantCheck<HyperparameterSearchModule>;

/** The student's personal space: a log range of 1 to 4 decades from 1e-3 … 1e-6, a keep ratio, 2 to 4 layer sizes. */
function personal(seed: string): { lo: number; hi: number; space: Space; seed: string } {
  const rng = rngFor(seed, '08-hyperparameter-search');
  const lo = 10 ** -(3 + rng.randint(0, 4));
  const hi = lo * 10 ** (1 + rng.randint(0, 4));
  const space: Space = {
    learningRate: { kind: 'logUniform', lo, hi },
    keep: { kind: 'uniform', lo: 0.3 + 0.1 * rng.uniform(), hi: 1 },
    hidden: { kind: 'choice', values: [32, 64, 128, 256].slice(0, 2 + rng.randint(0, 3)) },
  };
  return { lo, hi, space, seed: `${seed}/08/variant-draws` };
}

export const variantChecks: Check[] = [
  {
    group: 'variants',
    fn: 'logUniform',
    id: 'variant-draws',
    description: 'draws from your personal range and seed',
    run: (mod, studentSeed) => {
      const { lo, hi, seed } = personal(studentSeed);
      const [a, b] = [createRng(seed), createRng(seed)];
      const got = Array.from({ length: 6 }, () => mod.logUniform(a, lo, hi));
      expect(got).toBeAllClose(Array.from({ length: 6 }, () => reference.logUniform(b, lo, hi)), { ...TOL, what: 'draws' });
    },
  },
  {
    group: 'variants',
    fn: 'randomSearch',
    id: 'variant-search',
    description: 'a random search over your personal space',
    run: (mod, studentSeed) => {
      const { space, seed } = personal(studentSeed);
      expectConfigs(mod.randomSearch(space, 7, createRng(seed)), reference.randomSearch(space, 7, createRng(seed)));
    },
  },
  {
    group: 'variants',
    fn: 'gridSearch',
    id: 'variant-grid',
    description: 'a grid over your personal space',
    run: (mod, studentSeed) => {
      const { space } = personal(studentSeed);
      expectConfigs(mod.gridSearch(space, 3), reference.gridSearch(space, 3));
    },
  },
  {
    group: 'variants',
    fn: 'coarseToFine',
    id: 'variant-refine',
    description: 'the next stage of a search over your personal space',
    run: (mod, studentSeed) => {
      const { lo, space, seed } = personal(studentSeed);
      const trials = reference.randomSearch(space, 9, createRng(`${seed}/trials`)).map((config, i) => ({ config, score: i % 4 === 3 ? NaN : Math.sin(i + lo) }));
      expect(mod.rankTrials(trials)).toEqual(reference.rankTrials(trials));
      expectSpace(mod.coarseToFine(trials, space, { top: 4 }), reference.coarseToFine(trials, space, { top: 4 }));
    },
  },
];
