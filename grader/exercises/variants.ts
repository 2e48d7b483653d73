/**
 * The per-student seed for hidden "variants" cases: the grader's plan carries `--seed
 * <student-id>` (grader/plan.ts); inputs of variant cases are drawn from it and their expected
 * values are computed by the reference solution at grading time, so they cannot be shared or
 * hard-coded. Outside a grading run (the kit's own `npm test`), `GRADLAB_STUDENT_SEED` may set it.
 *
 * Every hidden check whose inputs depend on the seed is a `VariantCheck`: a pure function of the
 * implementation and the seed, listed in `grader/exercises/NN-slug/variants.ts`. The hidden suite
 * wraps the list in `test.for` with the student's seed; `npm run fairness` calls the same functions
 * in-process for a thousand seeds, against every correct implementation and every typical mistake.
 */
import { inject, test } from 'vitest';
import { createRng, type Rng } from '../../lib/index.ts';
import { titled } from '../../lib/testing/fixtures.ts';
import { PLAN_KEY } from '../plan.ts';

/** The seed for this run: the student's id, or 'reference' when none is given. */
export function studentSeed(): string {
  let planned: string | undefined;
  try {
    planned = inject(PLAN_KEY)?.seed;
  } catch {
    planned = undefined;
  }
  const seed = planned ?? process.env['GRADLAB_STUDENT_SEED'];
  return seed !== undefined && seed !== '' ? seed : 'reference';
}

/** The generator of one stream of variant inputs for `seed`; streams are independent of each other. */
export function rngFor(seed: string, stream: string): Rng {
  return createRng(`${seed}/${stream}/variants`);
}

/** A generator for one exercise's variant cases (or one stream of them), independent across exercises. */
export function variantRng(exercise: string): Rng {
  return rngFor(studentSeed(), exercise);
}

let memoSeed = '';
const memo = new Map<string, unknown>();

/**
 * A value that is a pure function of the seed (a drawn case, a reference result), computed once
 * per seed and shared by every implementation a sweep checks with that seed; each caller gets its
 * own deep copy, so that code under test cannot corrupt what the next one sees. Only the current
 * seed's values are kept.
 */
export function perSeed<T>(seed: string, key: string, make: () => T): T {
  if (seed !== memoSeed) {
    memo.clear();
    memoSeed = seed;
  }
  if (!memo.has(key)) memo.set(key, make());
  return structuredClone(memo.get(key) as T);
}

/** The groups of the rubric a variant check can count in (see grader/rubric.json). */
export type VariantGroup = 'shapes' | 'properties' | 'gradients' | 'variants';

/** One hidden check whose inputs are drawn from the student's seed. */
export interface VariantCheck<M> {
  group: VariantGroup;
  /** The exercise function the check is about. */
  fn: string;
  /** Stable case id, unique in the exercise. */
  id: string;
  description: string;
  /**
   * Draws the case from `seed` (with `rngFor(seed, …)`), runs `mod` and throws when a check
   * fails. Expected values come from the reference, computed here on the trusted side.
   */
  run(mod: M, seed: string): void;
}

/** Registers the checks of one group as tests titled `fn › id: description`, run with the student's seed. */
export function variantTests<M>(checks: readonly VariantCheck<M>[], group: VariantGroup, mod: M): void {
  const mine = checks.filter((c) => c.group === group);
  if (mine.length === 0) return;
  test.for(titled(mine))('%s', ([, check]) => check.run(mod, studentSeed()));
}
