/**
 * Random hyperparameter search, as the lecture recommends it (Bergstra & Bengio, 2012): sample
 * the learning rate and the regularization strength log-uniformly, train each trial briefly,
 * rank by validation accuracy. First a coarse stage over wide ranges, then a fine stage over the
 * ranges spanned by the best coarse trials.
 */
import { createRng, type Rng } from '../lib/index.ts';
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
}

/** 10^u with u uniform in [log₁₀ lo, log₁₀ hi]. */
export function logUniform(rng: Rng, lo: number, hi: number): number {
  const [a, b] = [Math.log10(lo), Math.log10(hi)];
  return 10 ** (a + (b - a) * rng.uniform());
}

/**
 * The fine stage's ranges: the span of the top trials' values, widened by a factor of 2 on each
 * side (so a best value at the edge can still move outward).
 */
export function fineRanges(best: readonly SearchPoint[]): SearchRanges {
  const span = (values: number[]): [number, number] => [Math.min(...values) / 2, Math.max(...values) * 2];
  return { learningRate: span(best.map((p) => p.learningRate)), reg: span(best.map((p) => p.reg)) };
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
  const rng = createRng(`${seed}/search`);
  const coarse = Math.ceil(trials / 2);
  const points: SearchPoint[] = [];
  const run = (stage: 'coarse' | 'fine', r: SearchRanges): void => {
    const learningRate = logUniform(rng, ...r.learningRate);
    const reg = logUniform(rng, ...r.reg);
    const valAcc = evaluate(learningRate, reg, points.length);
    const point = { learningRate, reg, valAcc: Number.isFinite(valAcc) ? valAcc : 0, stage };
    points.push(point);
    onTrial?.(point, points.length, trials);
  };
  for (let i = 0; i < coarse; i++) run('coarse', ranges);
  const top = [...points].sort((a, b) => b.valAcc - a.valAcc).slice(0, options.topK ?? 3);
  const fine = fineRanges(top);
  for (let i = coarse; i < trials; i++) run('fine', fine);
  return [...points].sort((a, b) => b.valAcc - a.valAcc);
}
