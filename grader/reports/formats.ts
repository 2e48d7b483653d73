/**
 * The machine-readable results: Gradescope's `results.json` (autograder specification: score,
 * max_score, output, tests[] with name, score, max_score, status, output, visibility) and the
 * Exercism test runner's `results.json`, interface version 3, one per exercise (version, status,
 * message, tests[] with name, test_code, status, message, output). Per-test output follows the
 * feedback policy of results.ts.
 */
import type { TestOutcome } from '../results.ts';
import type { GradescopeVisibility } from '../rubric.ts';
import { pointsOf, round2, type Score } from '../score.ts';
import { feedbackMarkdown, mdFence, mdText, visible } from './feedback.ts';
import type { GradeReport } from './report.ts';

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  output_format: 'md';
  visibility: GradescopeVisibility;
  tags: string[];
}

export interface GradescopeResults {
  score: number;
  max_score: number;
  output: string;
  output_format: 'md';
  visibility: GradescopeVisibility;
  stdout_visibility: 'hidden';
  execution_time: number;
  tests: GradescopeTest[];
}

function testOutput(o: TestOutcome): string {
  if (o.status === 'passed') return '';
  const lines = [mdText(o.failure?.summary ?? 'failed')];
  if (o.failure?.detail) lines.push('', mdFence(o.failure.detail.slice(0, 3000)));
  for (const d of o.diagnoses) lines.push('', `Likely mistake: ${mdText(d.hint)}`);
  if (o.output && o.output.bytes > 0) lines.push('', 'Printed by your code:', '', mdFence(o.output.stdout.slice(0, 2000)));
  return lines.join('\n');
}

/** Per-test points to 6 decimals: 600 tests' rounding stays below 0.001 in all, so they add up to the total to 0.01. */
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Gradescope's results.json. */
export function gradescopeResults(report: GradeReport, hiddenVisibility: GradescopeVisibility = 'visible'): GradescopeResults {
  const { score } = report;
  const numbers = new Map<string, number>();
  const tests = report.outcomes
    .filter((o) => o.status !== 'skipped')
    .map((o): GradescopeTest => {
      const exerciseNumber = Number(o.exercise.slice(0, 2));
      const index = (numbers.get(o.exercise) ?? 0) + 1;
      numbers.set(o.exercise, index);
      const max = round6(pointsOf(o, score));
      return {
        name: `${o.exercise} › ${o.group} › ${o.title}`,
        number: `${exerciseNumber}.${index}`,
        score: o.status === 'passed' ? max : 0,
        max_score: max,
        status: o.status === 'passed' ? 'passed' : 'failed',
        output: testOutput(o),
        output_format: 'md',
        visibility: o.visibility === 'public' ? 'visible' : hiddenVisibility,
        tags: [o.exercise, o.group, o.visibility],
      };
    });
  return {
    score: round2(score.points),
    max_score: round2(score.maxPoints),
    output: overview(report, score),
    output_format: 'md',
    visibility: 'visible',
    stdout_visibility: 'hidden',
    execution_time: Math.round(report.durationMs / 1000),
    tests,
  };
}

function overview(report: GradeReport, score: Score): string {
  // The feedback page without the per-test sections, which Gradescope shows per test anyway.
  const full = feedbackMarkdown(report);
  const firstExercise = full.indexOf('\n## ');
  const head = firstExercise >= 0 ? full.slice(0, firstExercise) : full;
  const hints = score.exercises.flatMap((e) => e.diagnoses.map((d) => `- ${e.exercise} \`${d.fn}\`: ${mdText(d.hint)}`));
  return hints.length > 0 ? `${head.trimEnd()}\n\n**Likely mistakes:**\n\n${hints.join('\n')}\n` : head;
}

export interface ExercismTest {
  name: string;
  test_code: string;
  status: 'pass' | 'fail' | 'error';
  message: string | null;
  output?: string;
  task_id?: number;
}

export interface ExercismResults {
  version: 3;
  status: 'pass' | 'fail' | 'error';
  message: string | null;
  tests: ExercismTest[];
}

/** Failures where the test could not complete (as opposed to a check that found a wrong value). */
const ERRORS = new Set(['threw', 'timeout', 'memory', 'exit', 'access', 'compile', 'load', 'missing-export', 'output', 'stale', 'crash', 'grader', 'not-submitted']);

/** Exercism shows at most 500 characters of what a test printed. */
const EXERCISM_OUTPUT_LIMIT = 500;
const TRUNCATED = '\nOutput was truncated. Please limit to 500 chars.';

function exercismOutput(o: TestOutcome): string | undefined {
  if (!o.output || o.output.bytes === 0) return undefined;
  const text = visible(o.output.stdout + o.output.stderr);
  if (text.length <= EXERCISM_OUTPUT_LIMIT && o.output.bytes <= EXERCISM_OUTPUT_LIMIT) return text;
  return text.slice(0, EXERCISM_OUTPUT_LIMIT - TRUNCATED.length) + TRUNCATED;
}

/**
 * Exercism's test-runner results (interface version 3) for one exercise, as its runner writes them
 * per exercise: tests in the order of the test files (public suite, then hidden), `message` only
 * when no test could run (status `error`), each test's `test_code` (`testCode`, see exercism.ts),
 * and the student's prints cut at 500 characters with the notice the interface asks for.
 */
export function exercismResults(report: GradeReport, exercise: string, testCode: (o: TestOutcome) => string): ExercismResults {
  const tests = report.outcomes
    .filter((o) => o.exercise === exercise && o.status !== 'skipped')
    .map((o): ExercismTest => {
      const message = o.status === 'passed' ? null : visible([o.failure?.summary ?? 'failed', o.failure?.detail ?? '', ...o.diagnoses.map((d) => `Likely mistake: ${d.hint}`)].filter(Boolean).join('\n\n'));
      const test: ExercismTest = {
        name: `${o.group} › ${o.title}`,
        test_code: testCode(o),
        status: o.status === 'passed' ? 'pass' : ERRORS.has(o.failure?.category ?? '') ? 'error' : 'fail',
        message,
      };
      const output = exercismOutput(o);
      if (output !== undefined) test.output = output;
      return test;
    });
  // `error` only when no test ran to a verdict: nothing to show but why.
  const ran = tests.filter((t) => t.status !== 'error');
  const suiteErrors = report.suiteErrors.filter((e) => e.suite.includes(`/${exercise}/`));
  if (tests.length === 0 || ran.length === 0) {
    const first = report.outcomes.find((o) => o.exercise === exercise && o.status === 'failed');
    const why = suiteErrors.length > 0 ? 'The tests could not run; your instructor has the details.' : (first?.failure?.detail ?? first?.failure?.summary ?? 'No test could run.');
    return { version: 3, status: 'error', message: visible(why).slice(0, 65_535), tests };
  }
  return { version: 3, status: tests.every((t) => t.status === 'pass') ? 'pass' : 'fail', message: null, tests };
}
