/**
 * A typical student mistake, written as a small edit of the reference solution.
 *
 * Each mistake serves twice:
 *   1. proof that the public tests catch it (`npm run mistakes` and the kit's own tests apply the
 *      edit to a copy of the solution and expect at least one public test to fail);
 *   2. a diagnosis signature for the grader: when a submission's outputs match the mistaken
 *      reference's outputs, the feedback names `hint` as the likely cause.
 *
 * Adding one: append an entry to `grader/exercises/NN-slug/mistakes.ts`, run `npm run mistakes -- NN-slug`.
 */
export interface Mistake {
  /** Stable kebab-case id, unique within the exercise: 'variance-n-minus-1'. */
  id: string;
  /** The exercise function whose outputs reveal the mistake: 'batchnormForward'. */
  fn: string;
  /** Student-facing hint naming the likely mistake, without giving the solution away verbatim. */
  hint: string;
  /** The solution file to edit, relative to `solutions/NN-slug/`: 'batchnorm.ts'. */
  file: string;
  /** Exact text replacements; each `find` must occur exactly once in the solution file. */
  replace: readonly (readonly [find: string, replacement: string])[];
}
