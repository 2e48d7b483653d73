/**
 * Hidden suite for exercise 08 — hyperparameter search. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * Checks drawn from the student's seed live in ./variants.ts.
 */
import { describe, expect, test } from 'vitest';
import { createRng } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { loadFixture } from '../../../lib/testing/fixtures.ts';
import { valueTests, type HyperparameterSearchModule as ValueModule } from '../../../lib/testing/checks/08-hyperparameter-search.ts';
import * as student from '../../../exercises/08-hyperparameter-search/hyperparameter-search.ts';
import type { Space } from '../../../exercises/08-hyperparameter-search/hyperparameter-search.ts';
import * as reference from '../../../solutions/08-hyperparameter-search/hyperparameter-search.ts';
import { variantTests } from '../variants.ts';
import { variantChecks, type HyperparameterSearchModule } from './variants.ts';
import { rangeOf } from '../../../lib/testing/checks/08-hyperparameter-search.ts';

const { coarseToFine, gridSearch, logUniform, randomSearch, rankTrials } = student;

const fixture = loadFixture('08-hyperparameter-search', 'hidden');


/** Kolmogorov–Smirnov distance between the empirical distribution of `u` (values in [0, 1]) and the uniform one. */
function ksDistance(u: readonly number[]): number {
  const sorted = [...u].sort((a, b) => a - b);
  return sorted.reduce((d, v, i) => Math.max(d, Math.abs((i + 1) / sorted.length - v), Math.abs(v - i / sorted.length)), 0);
}
/** KS critical value at significance 0.001: 1.949 / √n. The seeds are fixed, so the outcome is too. */
const ksCritical = (n: number): number => 1.949 / Math.sqrt(n);

describe('shapes', () => {
  test('gridSearch › grid-choices-only: a space of two choice dimensions gives every pair, whatever perDimension says', () => {
    expect(gridSearch({ a: { kind: 'choice', values: [1, 2, 3] }, b: { kind: 'choice', values: ['x', 'y'] } }, 5)).toHaveLength(6);
  });
  test('rankTrials › rank-empty: no trials give an empty ranking', () => {
    expect(rankTrials([])).toEqual([]);
  });
});

describe('values', () => {
  valueTests(fixture, student as unknown as ValueModule);
});

describe('properties', () => {
  test('randomSearch › ks-log-uniform: 3000 draws of a logUniform dimension over 1e-8 … 1e2 pass a Kolmogorov–Smirnov test in log₁₀ (significance 0.001)', () => {
    const configs = randomSearch({ lr: { kind: 'logUniform', lo: 1e-8, hi: 1e2 } }, 3000, createRng('08/hidden-ks'));
    const u = configs.map((c) => (Math.log10(c['lr'] as number) + 8) / 10);
    expect(ksDistance(u)).toBeLessThan(ksCritical(3000));
  });

  test('randomSearch › independent-dimensions: two logUniform dimensions are not correlated (|r| < 0.1 over 1000 trials)', () => {
    const configs = randomSearch({ a: { kind: 'logUniform', lo: 1e-4, hi: 1 }, b: { kind: 'logUniform', lo: 1e-4, hi: 1 } }, 1000, createRng('08/hidden-corr'));
    const xs = configs.map((c) => Math.log10(c['a'] as number));
    const ys = configs.map((c) => Math.log10(c['b'] as number));
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    const [mx, my] = [mean(xs), mean(ys)];
    const cov = mean(xs.map((x, i) => (x - mx) * (ys[i]! - my)));
    const r = cov / Math.sqrt(mean(xs.map((x) => (x - mx) ** 2)) * mean(ys.map((y) => (y - my) ** 2)));
    // For independent draws r has standard deviation 1/√1000 ≈ 0.032: 0.1 is more than 3 of them.
    expect(Math.abs(r)).toBeLessThan(0.1);
  });

  test('randomSearch › budget-16-vs-grid: 16 random trials try 16 values of each dimension, a 4 × 4 grid 4', () => {
    const space: Space = { learningRate: { kind: 'logUniform', lo: 1e-5, hi: 1e-1 }, keep: { kind: 'uniform', lo: 0.3, hi: 1 } };
    const random = randomSearch(space, 16, createRng('08/hidden-budget'));
    const grid = gridSearch(space, 4);
    for (const name of ['learningRate', 'keep']) {
      expect(new Set(random.map((c) => c[name])).size, `distinct ${name} values, random`).toBe(16);
      expect(new Set(grid.map((c) => c[name])).size, `distinct ${name} values, grid`).toBe(4);
    }
  });

  test('coarseToFine › low-edge-moves-down: best values at the bottom of a uniform range move its lower end below lo', () => {
    const space: Space = { momentum: { kind: 'uniform', lo: 0.5, hi: 0.99 } };
    const trials = [0.5, 0.52, 0.51, 0.9, 0.95].map((m) => ({ config: { momentum: m }, score: 1 - m }));
    const fine = coarseToFine(trials, space);
    expect(rangeOf(fine, 'momentum').lo).toBeLessThan(0.5);
    expect(rangeOf(fine, 'momentum').hi).toBeLessThan(0.99);
  });

  test('coarseToFine › repeated-refinement-converges: refining five times around the same best trials shrinks the range every time', () => {
    let space: Space = { lr: { kind: 'logUniform', lo: 1e-6, hi: 1 } };
    let width = 6;
    const rng = createRng('08/hidden-refine');
    for (let stage = 0; stage < 5; stage++) {
      const trials = reference.randomSearch(space, 12, rng).map((config) => ({ config, score: -Math.abs(Math.log10(config['lr'] as number) + 3) }));
      space = coarseToFine(trials, space, { top: 3, margin: 0.05 });
      const d = space['lr'] as { lo: number; hi: number };
      const next = Math.log10(d.hi / d.lo);
      expect(next, `decades after stage ${stage + 1}`).toBeLessThan(width);
      width = next;
    }
  });

  test('rankTrials › stable-many-ties: 20 trials with 4 distinct scores keep their order within each score', () => {
    const trials = Array.from({ length: 20 }, (_, i) => ({ config: { i }, score: [0.1, 0.4, 0.2, 0.4][i % 4]! }));
    const order = rankTrials(trials).map((t) => t.config['i']);
    expect(order).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 2, 6, 10, 14, 18, 0, 4, 8, 12, 16]);
  });
});

describe('bad input', () => {
  test("logUniform › rejects-infinite-hi: a 'hi' of Infinity is a RangeError", () => {
    expectInputError(() => logUniform(createRng('bad'), 1e-3, Infinity), { fn: 'logUniform', arg: 'hi' });
  });
  test("randomSearch › rejects-empty-choice: a choice without values is a RangeError naming it", () => {
    expectInputError(() => randomSearch({ opt: { kind: 'choice', values: [] } }, 1, createRng('bad')), { fn: 'randomSearch', arg: 'space.opt.values' });
  });
  test("coarseToFine › rejects-zero-top: a 'top' of 0 is a RangeError", () => {
    expectInputError(() => coarseToFine([{ config: { a: 1 }, score: 1 }], { a: { kind: 'uniform', lo: 0, hi: 2 } }, { top: 0 }), { fn: 'coarseToFine', arg: 'top' });
  });
  test("coarseToFine › rejects-missing-dimension: a result without a value for a dimension is a RangeError", () => {
    expectInputError(() => coarseToFine([{ config: { a: 1 }, score: 1 }], { a: { kind: 'uniform', lo: 0, hi: 2 }, b: { kind: 'uniform', lo: 0, hi: 1 } }), { fn: 'coarseToFine', arg: 'results[0].config' });
  });
});

describe('variants', () => {
  variantTests(variantChecks, 'variants', student as unknown as HyperparameterSearchModule);
});
