/**
 * Exercise 08 — hyperparameter search as the lecture recommends it: sample the space at random
 * (log-uniformly for scale parameters such as the learning rate), train each trial briefly, rank
 * the trials by validation accuracy, and search again, finer, around the best ones.
 *
 * A search space maps each hyperparameter's name to a dimension; a configuration maps each name to
 * one value. Names keep the order in which the space lists them.
 */
import { describe, type Rng } from '../../lib/index.ts';

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

// BEGIN SOLUTION
/** Checks `lo` and `hi` of a range (named `<prefix>lo`, `<prefix>hi` in messages); lo > 0 on a log scale. */
function checkRange(fn: string, prefix: string, d: { lo: number; hi: number }, log: boolean): void {
  if (typeof d.lo !== 'number' || !Number.isFinite(d.lo) || (log && d.lo <= 0)) {
    throw new RangeError(`${fn}: '${prefix}lo' must be a ${log ? 'positive' : 'finite'} number, got ${describe(d.lo)}`);
  }
  if (typeof d.hi !== 'number' || !Number.isFinite(d.hi) || d.hi < d.lo) throw new RangeError(`${fn}: '${prefix}hi' must be a finite number ≥ lo = ${d.lo}, got ${describe(d.hi)}`);
}

/** Checks every dimension of a space; returns its names in order. */
function checkSpace(fn: string, space: Space): string[] {
  if (space === null || typeof space !== 'object') throw new TypeError(`${fn}: 'space' must be an object of dimensions, got ${describe(space)}`);
  const names = Object.keys(space);
  for (const name of names) {
    const d = space[name]!;
    if (d?.kind === 'logUniform' || d?.kind === 'uniform') checkRange(fn, `space.${name}.`, d, d.kind === 'logUniform');
    else if (d?.kind === 'choice') {
      if (!Array.isArray(d.values) || d.values.length === 0) throw new RangeError(`${fn}: 'space.${name}.values' must be a non-empty array, got ${describe(d.values)}`);
    } else throw new RangeError(`${fn}: 'space.${name}' must have kind 'logUniform', 'uniform' or 'choice', got ${describe((d as { kind?: unknown })?.kind)}`);
  }
  return names;
}

/** `count` evenly spaced values from lo to hi, both included (in log₁₀ for a log dimension). */
function evenly(d: { lo: number; hi: number }, count: number, log: boolean): number[] {
  const [a, b] = log ? [Math.log10(d.lo), Math.log10(d.hi)] : [d.lo, d.hi];
  return Array.from({ length: count }, (_, i) => {
    const v = a + ((b - a) * i) / (count - 1);
    return log ? 10 ** v : v;
  });
}
// END SOLUTION

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
  // BEGIN SOLUTION
  // TODO: check lo and hi first.
  checkRange('logUniform', '', { lo, hi }, true);
  const [a, b] = [Math.log10(lo), Math.log10(hi)];
  return 10 ** (a + (b - a) * rng.uniform());
  // END SOLUTION
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
  // BEGIN SOLUTION
  const fn = 'randomSearch';
  const names = checkSpace(fn, space);
  if (!Number.isInteger(trials) || trials < 0) throw new RangeError(`${fn}: 'trials' must be a non-negative integer, got ${describe(trials)}`);
  const configs: Config[] = [];
  for (let t = 0; t < trials; t++) {
    const config: Config = {};
    for (const name of names) {
      const d = space[name]!;
      if (d.kind === 'logUniform') config[name] = logUniform(rng, d.lo, d.hi);
      else if (d.kind === 'uniform') config[name] = d.lo + (d.hi - d.lo) * rng.uniform();
      else config[name] = d.values[rng.randint(0, d.values.length)]!;
    }
    configs.push(config);
  }
  return configs;
  // END SOLUTION
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
  // BEGIN SOLUTION
  const fn = 'gridSearch';
  const names = checkSpace(fn, space);
  if (!Number.isInteger(perDimension) || perDimension < 2) throw new RangeError(`${fn}: 'perDimension' must be an integer ≥ 2, got ${describe(perDimension)}`);
  let configs: Config[] = [{}];
  for (const name of names) {
    const d = space[name]!;
    const values = d.kind === 'choice' ? d.values : evenly(d, perDimension, d.kind === 'logUniform');
    // Appending a dimension inside the existing ones keeps the earlier dimensions slower.
    configs = configs.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return configs;
  // END SOLUTION
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
  // BEGIN SOLUTION
  if (!Array.isArray(results)) throw new TypeError(`rankTrials: 'results' must be an array of { config, score }, got ${describe(results)}`);
  // Array.prototype.sort is stable (ES2019): trials that compare equal keep their order.
  return [...results].sort((a, b) => {
    const [nanA, nanB] = [Number.isNaN(a.score), Number.isNaN(b.score)];
    if (nanA || nanB) return Number(nanA) - Number(nanB);
    return b.score > a.score ? 1 : b.score < a.score ? -1 : 0;
  });
  // END SOLUTION
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
  // BEGIN SOLUTION
  const fn = 'coarseToFine';
  const names = checkSpace(fn, space);
  const { top = 3, margin = 0.1 } = options;
  if (!Number.isInteger(top) || top < 1) throw new RangeError(`${fn}: 'top' must be a positive integer, got ${describe(top)}`);
  if (typeof margin !== 'number' || !(margin >= 0)) throw new RangeError(`${fn}: 'margin' must be ≥ 0, got ${describe(margin)}`);
  results.forEach((r, i) => {
    for (const name of names) {
      if (!(name in (r?.config ?? {}))) throw new RangeError(`${fn}: 'results[${i}].config' has no value for '${name}'`);
    }
  });
  const best = rankTrials(results).slice(0, top).filter((r) => !Number.isNaN(r.score));
  if (best.length === 0) throw new RangeError(`${fn}: 'results' must hold a trial whose score is a number`);
  const fine: Record<string, Dimension> = {};
  for (const name of names) {
    const d = space[name]!;
    if (d.kind === 'choice') {
      const used = new Set(best.map((r) => r.config[name]));
      fine[name] = { kind: 'choice', values: d.values.filter((v) => used.has(v)) };
      continue;
    }
    const log = d.kind === 'logUniform';
    const scale = (v: number): number => (log ? Math.log10(v) : v);
    const values = best.map((r) => scale(r.config[name] as number));
    const reach = margin * (scale(d.hi) - scale(d.lo));
    const [lo, hi] = [Math.min(...values) - reach, Math.max(...values) + reach];
    fine[name] = { kind: d.kind, lo: log ? 10 ** lo : lo, hi: log ? 10 ** hi : hi };
  }
  return fine;
  // END SOLUTION
}
