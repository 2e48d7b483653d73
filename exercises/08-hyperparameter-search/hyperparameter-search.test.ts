/**
 * Public tests for exercise 08 — hyperparameter search.
 * Run: npm test exercises/08-hyperparameter-search
 *
 * Order: shapes → values against fixtures → properties → bad input.
 */
import { describe, expect, test } from 'vitest';
import { createRng } from '../../lib/index.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { loadFixture } from '../../lib/testing/fixtures.ts';
import { callRepeatedly } from '../../lib/testing/repeat.ts';
import { rangeOf, TOL, valueTests, type HyperparameterSearchModule } from '../../lib/testing/checks/08-hyperparameter-search.ts';
import * as hyperparameterSearch from './hyperparameter-search.ts';
import { coarseToFine, gridSearch, logUniform, randomSearch, rankTrials, type Space } from './hyperparameter-search.ts';

const fixture = loadFixture('08-hyperparameter-search');

/**
 * Values computed as 10^(a + u(b − a)), as lo·(hi/lo)^u or through e^x differ by a few ulps times
 * the number of decades (~1e-14 relative); 1e-9 leaves room for that. A linear draw, a draw in
 * the wrong base or a skipped draw is off by far more than 1e-3.
 */
// The tolerance (and why a correct implementation cannot miss it), the fixture-driven value tests
// and the comparisons of configurations and spaces live in lib/testing/checks/08-hyperparameter-search.ts.

const LR_REG: Space = { learningRate: { kind: 'logUniform', lo: 1e-6, hi: 1e-1 }, reg: { kind: 'logUniform', lo: 1e-5, hi: 1 } };

function chiSquare(values: readonly number[], lo: number, hi: number, bins: number): number {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)))]!++;
  const expected = values.length / bins;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}
/**
 * The χ² critical value for 9 degrees of freedom (10 bins) at significance 0.001: a correct
 * sampler exceeds it with probability 1 in 1000. The seeds below are fixed, so a correct
 * implementation passes (or fails) every run; a linear draw puts 90 % of its values in the top
 * decade and scores 1814 on the 500 draws below.
 */
const CHI2_9_AT_0_001 = 27.877;

describe('shapes', () => {
  test('randomSearch › returns one configuration per trial, each with every name of the space', () => {
    const configs = randomSearch({ ...LR_REG, optimizer: { kind: 'choice', values: ['sgd', 'adam'] } }, 6, createRng('shapes'));
    expect(configs).toHaveLength(6);
    for (const c of configs) expect(Object.keys(c).sort()).toEqual(['learningRate', 'optimizer', 'reg']);
  });

  test('gridSearch › returns perDimension^2 configurations for two continuous dimensions, × 3 with a choice of 3', () => {
    expect(gridSearch(LR_REG, 4)).toHaveLength(16);
    expect(gridSearch({ ...LR_REG, init: { kind: 'choice', values: ['xavier', 'he', 'small'] } }, 2)).toHaveLength(12);
  });

  test('coarseToFine › returns a space with the same names and kinds', () => {
    const trials = randomSearch(LR_REG, 5, createRng('fine-shapes')).map((config, i) => ({ config, score: i / 10 }));
    const fine = coarseToFine(trials, LR_REG);
    expect(Object.keys(fine).sort()).toEqual(['learningRate', 'reg']);
    expect(fine['learningRate']!.kind).toBe('logUniform');
  });
});

describe('values', () => {
  valueTests(fixture, hyperparameterSearch as unknown as HyperparameterSearchModule);
});

describe('properties', () => {
  test('logUniform › 500 draws are uniform in log₁₀ over 1e-6 … 1e-1 (χ² test, 10 bins, significance 0.001)', () => {
    const rng = createRng('08/log-uniform-fit');
    const exponents = callRepeatedly(logUniform, [rng, 1e-6, 1e-1], 500).map((v) => Math.log10(v));
    expect(Math.min(...exponents), 'smallest draw (log₁₀)').toBeGreaterThanOrEqual(-6 - 1e-12);
    expect(Math.max(...exponents), 'largest draw (log₁₀)').toBeLessThanOrEqual(-1 + 1e-12);
    expect(chiSquare(exponents, -6, -1, 10), 'χ² of the exponents against a uniform distribution').toBeLessThan(CHI2_9_AT_0_001);
  });

  test('randomSearch › each kind of dimension is drawn with its distribution (χ² tests over 2000 trials, significance 0.001)', () => {
    const space: Space = {
      learningRate: { kind: 'logUniform', lo: 1e-5, hi: 1e-1 },
      keep: { kind: 'uniform', lo: 0.5, hi: 1 },
      hidden: { kind: 'choice', values: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] },
    };
    const configs = randomSearch(space, 2000, createRng('08/random-fit'));
    expect(chiSquare(configs.map((c) => Math.log10(c['learningRate'] as number)), -5, -1, 10), 'χ² of log₁₀ learningRate').toBeLessThan(CHI2_9_AT_0_001);
    expect(chiSquare(configs.map((c) => c['keep'] as number), 0.5, 1, 10), 'χ² of keep').toBeLessThan(CHI2_9_AT_0_001);
    // The ten choices as bins [10, 110) of width 10: every value is drawn about 200 times.
    expect(chiSquare(configs.map((c) => c['hidden'] as number), 10, 110, 10), 'χ² of the choices of hidden').toBeLessThan(CHI2_9_AT_0_001);
  });

  test('randomSearch › with a budget of 9 trials, random search tries 9 learning rates where a 3 × 3 grid tries 3', () => {
    // The lecture's picture: when only the learning rate matters, a grid wastes its budget
    // repeating the same 3 learning rates; random search tries a new one on every trial.
    const random = new Set(randomSearch(LR_REG, 9, createRng('08/grid-vs-random')).map((c) => c['learningRate']));
    const grid = new Set(gridSearch(LR_REG, 3).map((c) => c['learningRate']));
    expect(grid.size, 'distinct learning rates of the 3 × 3 grid').toBe(3);
    expect(random.size, 'distinct learning rates of 9 random trials').toBe(9);
  });

  test('randomSearch › the same seed gives the same configurations; zero trials give none', () => {
    expect(randomSearch(LR_REG, 3, createRng('same'))).toEqual(randomSearch(LR_REG, 3, createRng('same')));
    expect(randomSearch(LR_REG, 0, createRng('none'))).toEqual([]);
  });

  test('gridSearch › includes both ends of every range, evenly spaced in log₁₀ for a logUniform dimension', () => {
    const values = [...new Set(gridSearch(LR_REG, 6).map((c) => c['learningRate'] as number))].sort((a, b) => a - b);
    expect(values.map(Math.log10)).toBeAllClose([-6, -5, -4, -3, -2, -1], { ...TOL, what: 'log₁₀ of the grid’s learning rates' });
  });

  test('coarseToFine › a best value at the edge of the range moves the range outward', () => {
    const space: Space = { learningRate: { kind: 'logUniform', lo: 1e-4, hi: 1e-2 } };
    const trials = [3e-4, 1e-3, 6e-3, 9e-3, 9.5e-3].map((lr) => ({ config: { learningRate: lr }, score: lr }));
    const fine = coarseToFine(trials, space);
    expect(rangeOf(fine, 'learningRate').hi, 'the new upper end').toBeGreaterThan(1e-2);
    expect(rangeOf(fine, 'learningRate').lo, 'the new lower end').toBeGreaterThan(1e-4);
  });

  test('coarseToFine › best trials that cluster narrow the range', () => {
    const space: Space = { reg: { kind: 'logUniform', lo: 1e-6, hi: 1 }, keep: { kind: 'uniform', lo: 0.2, hi: 1 } };
    const trials = [
      { config: { reg: 1e-3, keep: 0.6 }, score: 0.9 },
      { config: { reg: 2e-3, keep: 0.65 }, score: 0.88 },
      { config: { reg: 1.5e-3, keep: 0.62 }, score: 0.87 },
      { config: { reg: 0.5, keep: 0.25 }, score: 0.2 },
    ];
    const fine = coarseToFine(trials, space);
    expect(Math.log10(rangeOf(fine, 'reg').hi / rangeOf(fine, 'reg').lo), 'decades of the new reg range').toBeLessThan(6);
    expect(rangeOf(fine, 'keep').hi - rangeOf(fine, 'keep').lo, 'width of the new keep range').toBeLessThan(0.8);
    expect(rangeOf(fine, 'reg').lo, 'the new range still holds the best reg').toBeLessThan(1e-3);
    expect(rangeOf(fine, 'reg').hi).toBeGreaterThan(2e-3);
  });

  test('rankTrials, coarseToFine › never mutate the results or the space', () => {
    const trials = randomSearch(LR_REG, 6, createRng('mutate')).map((config, i) => ({ config, score: [0.3, NaN, 0.9, 0.1, 0.5, 0.7][i]! }));
    const before = JSON.stringify(trials);
    const space = JSON.stringify(LR_REG);
    rankTrials(trials);
    coarseToFine(trials, LR_REG);
    expect(JSON.stringify(trials), 'results after the calls').toBe(before);
    expect(JSON.stringify(LR_REG), 'space after the call').toBe(space);
  });
});

describe('bad input', () => {
  test("logUniform › a 'lo' of 0 or below is a RangeError (there is no log of it)", () => {
    expectInputError(() => logUniform(createRng('bad'), 0, 1), { fn: 'logUniform', arg: 'lo' });
    expectInputError(() => logUniform(createRng('bad'), -1e-3, 1), { fn: 'logUniform', arg: 'lo' });
  });

  test("logUniform › a 'hi' below 'lo' is a RangeError", () => {
    expectInputError(() => logUniform(createRng('bad'), 1e-2, 1e-3), { fn: 'logUniform', arg: 'hi' });
  });

  test("randomSearch › a negative number of 'trials' is a RangeError", () => {
    expectInputError(() => randomSearch(LR_REG, -1, createRng('bad')), { fn: 'randomSearch', arg: 'trials' });
  });

  test('randomSearch › an unknown kind of dimension is a RangeError naming it', () => {
    const space = { depth: { kind: 'integer', lo: 1, hi: 5 } } as unknown as Space;
    expectInputError(() => randomSearch(space, 2, createRng('bad')), { fn: 'randomSearch', arg: 'space.depth' });
  });

  test("gridSearch › a 'perDimension' below 2 is a RangeError", () => {
    expectInputError(() => gridSearch(LR_REG, 1), { fn: 'gridSearch', arg: 'perDimension' });
  });

  test('coarseToFine › results without a single numeric score are a RangeError', () => {
    expectInputError(() => coarseToFine([{ config: { learningRate: 1e-3, reg: 1e-4 }, score: NaN }], LR_REG), { fn: 'coarseToFine', arg: 'results' });
  });
});
