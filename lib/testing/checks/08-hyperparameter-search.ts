/**
 * Exercise 08's value tests against a fixture, its tolerance and the comparisons of
 * configurations and spaces, shared by the public suite and the grader's hidden suite (each passes
 * its own fixture) and by the hidden variant checks.
 *
 * Tolerance (rtol 1e-9, atol 1e-12): a log-uniform draw written as lo·exp(u·ln(hi/lo)),
 * lo·(hi/lo)^u or 10^(log10 lo + u·(log10 hi − log10 lo)) differs between formulas by a few ulps
 * times |ln(hi/lo)| ≤ 30, about 1e-14 relative; ranges narrowed around the best trials are sums and
 * products of a few such values. 1e-9 leaves room for that and nothing else: mixed bases, a
 * uniform draw instead of a log-uniform one or a range that does not move are off by 1e-3 or far
 * more.
 */
import { expect, test } from 'vitest';
import { createRng } from '../../index.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import type * as HyperparameterSearch from '../../../exercises/08-hyperparameter-search/hyperparameter-search.ts';
import type { CoarseToFineOptions, Config, Dimension, Space, TrialResult } from '../../../exercises/08-hyperparameter-search/hyperparameter-search.ts';

export const TOL = { rtol: 1e-9, atol: 1e-12 };
export type HyperparameterSearchModule = typeof HyperparameterSearch;

/** A trial as a fixture holds it (a score may be a string: 'NaN', 'Infinity'). */
export type JsonResult = { config: Config; score: number | string };
export const trialsOf = (rs: readonly JsonResult[]): TrialResult[] => rs.map((r) => ({ config: r.config, score: Number(r.score) }));

/** Configurations one by one: the same names, strings equal, numbers within TOL. */
export function expectConfigs(got: readonly Config[], want: readonly Config[]): void {
  expect(got, 'number of configurations').toHaveLength(want.length);
  got.forEach((config, i) => {
    expect(Object.keys(config).sort(), `names of configuration ${i}`).toEqual(Object.keys(want[i]!).sort());
    for (const [name, value] of Object.entries(want[i]!)) {
      if (typeof value === 'string') expect(config[name], `configuration ${i}, ${name}`).toBe(value);
      else expect(config[name] as number).toBeAllClose(value, { ...TOL, what: `configuration ${i}, ${name}` });
    }
  });
}

/** The lo … hi of a continuous dimension of a space. */
export const rangeOf = (space: Space, name: string): { lo: number; hi: number } => space[name] as { lo: number; hi: number };

/** Spaces dimension by dimension: the same kinds, choices equal, ranges within TOL. */
export function expectSpace(got: Space, want: Space): void {
  expect(Object.keys(got).sort(), 'names of the new space').toEqual(Object.keys(want).sort());
  for (const [name, d] of Object.entries(want)) {
    const g = got[name]! as Dimension;
    expect(g.kind, `kind of ${name}`).toBe(d.kind);
    if (d.kind === 'choice') expect((g as typeof d).values, `values of ${name}`).toEqual(d.values);
    else {
      expect((g as typeof d).lo).toBeAllClose(d.lo, { ...TOL, what: `${name}.lo` });
      expect((g as typeof d).hi).toBeAllClose(d.hi, { ...TOL, what: `${name}.hi` });
    }
  }
}

/** One test per fixture case of each function. */
export function valueTests(fixture: Fixture, mod: HyperparameterSearchModule): void {
  test.for(titled(casesFor<{ seed: string; lo: number; hi: number; count: number }, { values: number[] }>(fixture, 'logUniform')))('%s', ([, { args, expected }]) => {
    const rng = createRng(args.seed);
    const values = Array.from({ length: args.count }, () => mod.logUniform(rng, args.lo, args.hi));
    expect(values).toBeAllClose(expected.values, { ...TOL, what: `draws from createRng('${args.seed}')` });
  });

  test.for(titled(casesFor<{ space: Space; trials: number; seed: string }, { configs: Config[] }>(fixture, 'randomSearch')))('%s', ([, { args, expected }]) => {
    expectConfigs(mod.randomSearch(args.space, args.trials, createRng(args.seed)), expected.configs);
  });

  test.for(titled(casesFor<{ space: Space; perDimension: number }, { configs: Config[] }>(fixture, 'gridSearch')))('%s', ([, { args, expected }]) => {
    expectConfigs(mod.gridSearch(args.space, args.perDimension), expected.configs);
  });

  test.for(titled(casesFor<{ results: JsonResult[] }, { ranked: JsonResult[] }>(fixture, 'rankTrials')))('%s', ([, { args, expected }]) => {
    expect(mod.rankTrials(trialsOf(args.results)), 'the ranked trials, best first').toEqual(trialsOf(expected.ranked));
  });

  test.for(titled(casesFor<{ results: JsonResult[]; space: Space; options?: CoarseToFineOptions }, { space: Space }>(fixture, 'coarseToFine')))('%s', ([, { args, expected }]) => {
    expectSpace(mod.coarseToFine(trialsOf(args.results), args.space, args.options), expected.space);
  });
}
