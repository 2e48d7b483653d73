/**
 * Random hyperparameter search, as the lecture recommends it (Bergstra & Bengio, 2012): sample
 * the learning rate and the regularization strength log-uniformly, train each trial briefly,
 * rank by validation accuracy. First a coarse stage over wide ranges, then a fine stage around the
 * best coarse trials. Drawing, narrowing and ranking are exercise 08's functions (the student's
 * own with `--impl`).
 */
import { createRng } from '../lib/index.ts';
import type { HyperparameterSearch, Space, TrialResult } from './lecture-blocks.ts';
import type { SearchPoint } from './report/training-report.ts';

export interface SearchRanges {
  learningRate: readonly [number, number];
  reg: readonly [number, number];
}

export interface SearchOptions {
  /** Total number of trials (coarse + fine). */
  trials: number;
  /** The coarse stage's ranges. */
  ranges: SearchRanges;
  seed: string | number;
  /** How many of the best coarse trials set the fine ranges. Default 3. */
  topK?: number;
  /** Exercise 08's functions. */
  search: HyperparameterSearch;
}

/**
 * Runs `trials` trials: ⌈trials / 2⌉ coarse, the rest fine. `evaluate(lr, reg)` trains one short
 * run and returns its validation accuracy. Returns every trial, best first.
 */
export function randomSearch(
  evaluate: (learningRate: number, reg: number, trial: number) => number,
  options: SearchOptions,
  onTrial?: (point: SearchPoint, trial: number, total: number) => void,
): SearchPoint[] {
  const { trials, ranges, seed } = options;
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`randomSearch: 'trials' must be a positive integer, got ${trials}`);
  const f = options.search;
  const rng = createRng(`${seed}/search`);
  const coarse = Math.ceil(trials / 2);
  const space: Space = {
    learningRate: { kind: 'logUniform', lo: ranges.learningRate[0], hi: ranges.learningRate[1] },
    reg: { kind: 'logUniform', lo: ranges.reg[0], hi: ranges.reg[1] },
  };
  const points: SearchPoint[] = [];
  const results: TrialResult[] = [];
  const run = (stage: 'coarse' | 'fine', s: Space, count: number): void => {
    for (const config of f.randomSearch(s, count, rng)) {
      const [learningRate, reg] = [config['learningRate'] as number, config['reg'] as number];
      const valAcc = evaluate(learningRate, reg, points.length);
      // The config holds the space's names only: the student's functions may rely on it.
      results.push({ config: { learningRate, reg }, score: valAcc });
      const point = { learningRate, reg, valAcc: Number.isFinite(valAcc) ? valAcc : 0, stage };
      points.push(point);
      onTrial?.(point, points.length, trials);
    }
  };
  run('coarse', space, coarse);
  if (trials > coarse) run('fine', f.coarseToFine(results, space, { top: options.topK ?? 3 }), trials - coarse);
  // The student's rankTrials may return the results themselves or copies: each ranked trial is
  // the first trial not yet taken that is the same object, or has the same config and score.
  const taken = new Set<number>();
  return f.rankTrials(results).map((r) => {
    let i = results.indexOf(r);
    if (i < 0 || taken.has(i)) {
      i = results.findIndex((t, k) => !taken.has(k) && t.config['learningRate'] === r.config?.['learningRate'] && t.config['reg'] === r.config?.['reg'] && Object.is(t.score, r.score));
    }
    if (i < 0) throw new RangeError('rankTrials: returned a trial that is not one of the results it was given (08-hyperparameter-search)');
    taken.add(i);
    return points[i]!;
  });
}
