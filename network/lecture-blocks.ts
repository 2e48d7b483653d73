/**
 * The second half of the lecture's exercises, as the trainer calls them: the babysitting checks
 * (07) for `--sanity`, hyperparameter search (08) for `--search`, PReLU and maxout (10) for
 * `--activation prelu | maxout`. They are parts of the building blocks (`PARTS` in
 * building-blocks.ts), loaded at run time from the same folder as the others, but only when a run
 * uses them, so a course that assigns 01–06 alone trains as before.
 *
 * The types below are what the network needs of each exercise, written here rather than imported:
 * nothing in network/ imports an exercise statically (the student kit has no solutions/, and a
 * student's exercises/ may not compile while they work on it). network/lecture-blocks.test.ts
 * checks that the reference solutions fit them.
 */
import type { Rng, Tensor } from '../lib/index.ts';
import { PARTS, type BuildingBlocks, type LecturePart } from './building-blocks.ts';

/** The outcome of one sanity check of exercise 07. */
export interface SanityCheck {
  passed: boolean;
  detail: string;
}

/** The training loop `overfitSmallData` drives; each operation takes the step number s = 1, 2, … */
export interface OverfitTrainer {
  step: (s: number) => number;
  accuracy: (s: number) => number;
}

export interface OverfitReport {
  passed: boolean;
  stopped: 'memorized' | 'diverged' | 'out-of-steps';
  steps: number;
  losses: number[];
  trainAccuracy: number;
}

export interface TrainingDiagnosis {
  diagnosis: 'lr-too-high' | 'lr-too-low' | 'bad-init' | 'overfitting' | 'healthy';
  start: number;
  end: number;
  early: number;
  firstGap: number;
  lastGap: number;
}

/** Exercise 07's functions, as the sanity checks call them. */
export interface Babysitting {
  checkInitialLoss(loss: number, numClasses: number, tolerance?: number): SanityCheck;
  checkRegularization(points: readonly { reg: number; loss: number }[]): SanityCheck;
  overfitSmallData(trainer: OverfitTrainer, maxSteps?: number): OverfitReport;
  updateToWeightRatio(w: Tensor, update: Tensor): number;
  updateRatioVerdict(ratio: number): 'too-low' | 'healthy' | 'too-high';
  diagnoseTraining(history: { loss: readonly number[]; trainAcc: readonly number[]; valAcc: readonly number[] }): TrainingDiagnosis;
}

/** One dimension of a search space (exercise 08). */
export type Dimension = { kind: 'logUniform' | 'uniform'; lo: number; hi: number } | { kind: 'choice'; values: readonly (number | string)[] };
export type Space = Readonly<Record<string, Dimension>>;
export type Config = Record<string, number | string>;
export interface TrialResult {
  config: Config;
  score: number;
}

/** Exercise 08's functions, as the search calls them. */
export interface HyperparameterSearch {
  randomSearch(space: Space, trials: number, rng: Rng): Config[];
  coarseToFine(results: readonly TrialResult[], space: Space, options?: { top?: number; margin?: number }): Space;
  rankTrials(results: readonly TrialResult[]): TrialResult[];
}

// NOTE: method syntax on purpose, as in building-blocks.ts: a backward taking its own cache type fits `cache: unknown`.

/** Exercise 10's functions, with open caches (each implementation's own design). */
export interface LearnedActivations {
  preluForward(x: Tensor, alpha: Tensor): { out: Tensor; cache: unknown };
  preluBackward(dout: Tensor, cache: unknown): { dx: Tensor; dalpha: Tensor };
  maxoutForward(x: Tensor, W: Tensor, b: Tensor): { out: Tensor; cache: unknown };
  maxoutBackward(dout: Tensor, cache: unknown): { dx: Tensor; dW: Tensor; db: Tensor };
}

/** The lecture parts a run needs: 07 for `--sanity`, 08 for `--search`, 10 for a learned activation. */
export function lecturePartsFor(run: { sanity: boolean; search: boolean; learned: boolean }): LecturePart[] {
  return [...(run.sanity ? (['babysitting'] as const) : []), ...(run.search ? (['search'] as const) : []), ...(run.learned ? (['learned'] as const) : [])];
}

/** Each lecture part's functions. */
export interface LectureModules {
  babysitting: Babysitting;
  search: HyperparameterSearch;
  learned: LearnedActivations;
}

/**
 * A lecture part the run loaded. Asking for one it did not load is a bug in the trainer (the flag
 * that uses a part also loads it), not the user's mistake.
 */
export function lecturePart<K extends LecturePart>(blocks: BuildingBlocks, part: K): LectureModules[K] {
  const value = blocks[part] as LectureModules[K] | undefined;
  if (value === undefined) throw new Error(`the trainer did not load ${PARTS[part].exercise} from ${blocks.source} before using it (a kit bug)`);
  return value;
}
