/**
 * The grade of one submission as data: what every output format (Gradescope, Exercism, the
 * feedback pages, the CLI table, `grade.json`) is rendered from. Nothing in it holds an expected
 * value: failures carry only the summaries and, for public tests, the diagnostics of results.ts.
 */
import type { SuiteError, TestOutcome } from '../results.ts';
import type { Layers } from '../plan.ts';
import type { Score } from '../score.ts';

export interface GradeReport {
  /** Format version of `grade.json`. */
  version: 1;
  /** 'graded' when every suite ran; 'error' when the grader itself failed (see `errors`). */
  status: 'graded' | 'error';
  /** The submission folder as given. */
  submission: string;
  /** The seed of the per-student variant cases. */
  seed: string;
  startedAt: string;
  durationMs: number;
  score: Score;
  /** Exercises graded, in order. */
  exercises: string[];
  /** Exercises that have a hidden suite (and whose hidden tests ran). */
  hiddenExercises: string[];
  outcomes: TestOutcome[];
  /** About the submission: files ignored or refused. */
  notes: string[];
  /** The grader's own failures: suites that could not run, unhandled errors. */
  errors: string[];
  suiteErrors: SuiteError[];
  /** Where the time went, in ms. */
  timings: Record<string, number>;
  /** The isolation layers the submission ran in (see grader/layers.ts). */
  layers?: Layers;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * One sentence about the whole run. It says "all tests passed" only when hidden tests ran for
 * every exercise graded and every test passed.
 */
export function summarySentence(report: GradeReport): string {
  if (report.status === 'error') return 'The grader could not run every suite; this grade is incomplete (see the notes below).';
  const tests = report.outcomes.filter((o) => o.status !== 'skipped');
  const pub = tests.filter((o) => o.visibility === 'public');
  const hid = tests.filter((o) => o.visibility === 'hidden');
  const passed = (list: TestOutcome[]): number => list.filter((o) => o.status === 'passed').length;
  const withoutHidden = report.exercises.filter((e) => !report.hiddenExercises.includes(e));
  if (hid.length === 0) {
    return `${passed(pub)} of ${plural(pub.length, 'public test')} passed. No hidden tests ran, so this is not a final grade.`;
  }
  if (passed(tests) === tests.length) {
    if (withoutHidden.length === 0) return `All ${tests.length} tests passed, public and hidden.`;
    return `All ${tests.length} tests that ran passed; ${withoutHidden.join(', ')} ${withoutHidden.length === 1 ? 'has' : 'have'} no hidden tests, so ${withoutHidden.length === 1 ? 'its' : 'their'} points rest on public tests only.`;
  }
  return `${passed(tests)} of ${plural(tests.length, 'test')} passed: ${passed(pub)} of ${pub.length} public, ${passed(hid)} of ${hid.length} hidden.`;
}
