/**
 * The per-student seed for hidden "variants" cases. The grader sets `GRADLAB_STUDENT_SEED` from
 * `--seed <student-id>`; inputs of variant cases are drawn from it and their expected values are
 * computed by the reference solution at grading time, so they cannot be shared or hard-coded.
 */
import { createRng, type Rng } from '../../lib/index.ts';

/** The seed for this grading run: the student's id, or 'reference' when none is given. */
export function studentSeed(): string {
  const seed = process.env['GRADLAB_STUDENT_SEED'];
  return seed !== undefined && seed !== '' ? seed : 'reference';
}

/** A generator for one exercise's variant cases, independent across exercises. */
export function variantRng(exercise: string): Rng {
  return createRng(`${studentSeed()}/${exercise}/variants`);
}
