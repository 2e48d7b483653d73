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

/**
 * The pattern of a `find` text that any formatting of the same code matches: tokens in order,
 * with any whitespace (line breaks included) between them, and at least some between two words.
 * Reformatting a solution (wrapping, indenting, spacing operators) cannot break a mistake; a
 * change of the code itself makes it fail loudly, never silently.
 */
function tokenPattern(find: string): RegExp {
  const tokens = find.match(/[A-Za-z0-9_$]+|\S/g) ?? [];
  let pattern = '';
  tokens.forEach((token, i) => {
    if (i > 0) pattern += /\w$/.test(tokens[i - 1]!) && /^\w/.test(token) ? '\\s+' : '\\s*';
    pattern += token.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  });
  return new RegExp(pattern, 'g');
}

/**
 * Applies a mistake's replacements to a solution's source. Each `find` must occur exactly once
 * (in any formatting, see `tokenPattern`); `label` names the mistake in the error otherwise.
 */
export function applyMistake(source: string, replace: Mistake['replace'], label: string): string {
  let text = source;
  for (const [find, replacement] of replace) {
    const matches = [...text.matchAll(tokenPattern(find))];
    if (matches.length !== 1) {
      throw new Error(`${label}: ${JSON.stringify(find.slice(0, 60))} must occur exactly once in the solution (found ${matches.length})`);
    }
    const at = matches[0]!.index;
    text = text.slice(0, at) + replacement + text.slice(at + matches[0]![0].length);
  }
  return text;
}
