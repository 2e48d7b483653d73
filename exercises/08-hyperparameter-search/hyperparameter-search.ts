// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.
// Run this exercise's tests with `npm test <this folder>`; the README next to this file is the brief.
/**
 * Exercise 08 — hyperparameter search as the lecture recommends it: sample the space at random
 * (log-uniformly for scale parameters such as the learning rate), train each trial briefly, rank
 * the trials by validation accuracy, and search again, finer, around the best ones.
 *
 * A search space maps each hyperparameter's name to a dimension; a configuration maps each name to
 * one value. Names keep the order in which the space lists them.
 */
import { describe, NotImplementedError, type Rng } from '../../lib/index.ts';

/** One dimension of a search space. */
export type Dimension =
  /** Values whose scale is unknown (learning rate, regularization): uniform in log₁₀ between lo and hi. */
  | { kind: 'logUniform'; lo: number; hi: number }
  /** Values on a known scale (dropout keep ratio, momentum): uniform between lo and hi. */
  | { kind: 'uniform'; lo: number; hi: number }
  /** One of a few values (a layer size, an update rule). */
  | { kind: 'choice'; values: readonly (number | string)[] };

/** Hyperparameter name → dimension, e.g. `{ learningRate: { kind: 'logUniform', lo: 1e-5, hi: 1e-1 } }`. */
export type Space = Readonly<Record<string, Dimension>>;

/** Hyperparameter name → value: one point of a space. */
export type Config = Record<string, number | string>;

/** A configuration and how well it did: higher is better (validation accuracy); NaN for a run that diverged. */
export interface TrialResult {
  config: Config;
  score: number;
}

export interface CoarseToFineOptions {
  /** How many of the best trials set the new ranges. Default 3. */
  top?: number;
  /** How far the new range reaches beyond the best values, as a fraction of the old range's width. Default 0.1. */
  margin?: number;
}


/**
 * A log-uniform draw: the exponent is uniform, so every decade between lo and hi is equally likely.
 *   u = rng.uniform(),   value = 10^(log₁₀ lo + u · (log₁₀ hi − log₁₀ lo))
 *
 * NOTE: exactly one `rng.uniform()` per call, so a seed gives the same sequence everywhere.
 *
 * @param rng the generator (from `createRng`).
 * @param lo the smallest value, > 0.
 * @param hi the largest value, ≥ lo.
 * @returns a number in [lo, hi] (up to rounding in the last digits).
 * @throws RangeError when lo is not a positive finite number or hi is below lo.
 */
export function logUniform(rng: Rng, lo: number, hi: number): number {
  // TODO: check lo and hi first.
  throw new NotImplementedError('logUniform', 'exercises/08-hyperparameter-search/hyperparameter-search.ts');
}

/**
 * Random search: `trials` configurations, each dimension drawn independently. Draw order (part of
 * the contract, the tests replay it): trial by trial, and within a trial the dimensions in the
 * order the space lists them, one draw each:
 *   logUniform:  logUniform(rng, lo, hi)
 *   uniform:     lo + (hi − lo) · rng.uniform()
 *   choice:      values[rng.randint(0, values.length)]
 *
 * @param space the dimensions to search (never mutated).
 * @param trials how many configurations, a non-negative integer.
 * @param rng the generator.
 * @returns `trials` configurations, each with every name of the space.
 * @throws RangeError when trials is not a non-negative integer or a dimension is malformed.
 */
export function randomSearch(space: Space, trials: number, rng: Rng): Config[] {
  throw new NotImplementedError('randomSearch', 'exercises/08-hyperparameter-search/hyperparameter-search.ts');
}

/**
 * Grid search over the same kind of space, for comparison: `perDimension` evenly spaced values of
 * every continuous dimension, lo and hi included (evenly in log₁₀ for a logUniform one), and every
 * value of a choice dimension; all combinations, the first dimension varying slowest (as nested
 * loops in the order the space lists the dimensions).
 *
 * @param space the dimensions (never mutated).
 * @param perDimension values per continuous dimension, an integer ≥ 2.
 * @returns every combination: perDimension^(continuous dimensions) × Π (choices) configurations.
 * @throws RangeError when perDimension is not an integer ≥ 2 or a dimension is malformed.
 */
export function gridSearch(space: Space, perDimension: number): Config[] {
  throw new NotImplementedError('gridSearch', 'exercises/08-hyperparameter-search/hyperparameter-search.ts');
}

/**
 * The trials ranked best first: by score, highest first; a NaN score (a run that diverged) ranks
 * below every number; equal scores keep the order they came in.
 *
 * NOTE: `Array.prototype.sort` sorts in place: sort a copy. A comparator that returns NaN (as
 * `b.score − a.score` does for a NaN score) leaves the order undefined.
 *
 * @param results the trials, in the order they ran (never mutated).
 * @returns a new array of the same trials, best first.
 */
export function rankTrials(results: readonly TrialResult[]): TrialResult[] {
  throw new NotImplementedError('rankTrials', 'exercises/08-hyperparameter-search/hyperparameter-search.ts');
}

/**
 * The next, finer stage of a search: new ranges around the best trials. With the `top` best trials
 * of `rankTrials(results)` whose score is a number, for each dimension of the space:
 *   uniform:     lo' = min − margin · (hi − lo),   hi' = max + margin · (hi − lo)
 *   logUniform:  the same in log₁₀: log₁₀ lo' = log₁₀ min − margin · (log₁₀ hi − log₁₀ lo), and so for hi'
 *   choice:      the values that the best trials use, in the order of the old `values`
 * where min and max are the smallest and largest value among the best trials.
 *
 * NOTE: the new range is not clamped to the old one: a best value near an edge of the range means
 * the range was too small, and the new one must reach beyond that edge.
 *
 * @param results finished trials, each with a value for every dimension (never mutated).
 * @param space the space they were drawn from (never mutated).
 * @param options `top` (default 3) and `margin` (default 0.1).
 * @returns a new space with the same names and kinds.
 * @throws RangeError when no result has a numeric score, a result lacks a dimension, top is not a
 *   positive integer or margin is negative.
 */
export function coarseToFine(results: readonly TrialResult[], space: Space, options: CoarseToFineOptions = {}): Space {
  throw new NotImplementedError('coarseToFine', 'exercises/08-hyperparameter-search/hyperparameter-search.ts');
}
