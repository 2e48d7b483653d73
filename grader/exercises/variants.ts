/**
 * The per-student seed for hidden "variants" cases: the grader's plan carries `--seed
 * <student-id>` (grader/plan.ts); inputs of variant cases are drawn from it and their expected
 * values are computed by the reference solution at grading time, so they cannot be shared or
 * hard-coded. Outside a grading run (the kit's own `npm test`), `GRADLAB_STUDENT_SEED` may set it.
 */
import { inject } from 'vitest';
import { createRng, type Rng } from '../../lib/index.ts';
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

/** A generator for one exercise's variant cases, independent across exercises. */
export function variantRng(exercise: string): Rng {
  return createRng(`${studentSeed()}/${exercise}/variants`);
}
