/**
 * The machine-readable results: Gradescope's `results.json` (autograder specification: score,
 * max_score, output, tests[] with name, score, max_score, status, output, visibility) and the
 * Exercism test runner's v3 `results.json` (version, status, message, tests[] with name, status,
 * message, output, task_id). Per-test output follows the feedback policy of results.ts.
 */
import type { TestOutcome } from '../results.ts';
import type { GradescopeVisibility } from '../rubric.ts';
import { pointsOf, round2, type Score } from '../score.ts';
import { feedbackMarkdown, mdFence, mdText } from './feedback.ts';
import { summarySentence, type GradeReport } from './report.ts';

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

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

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
      const max = round4(pointsOf(o, score));
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
  status: 'pass' | 'fail' | 'error';
  message: string | null;
  output: string | null;
  task_id: number;
}

export interface ExercismResults {
  version: 3;
  status: 'pass' | 'fail' | 'error';
  message: string | null;
  tests: ExercismTest[];
}

/** Failures where the code did not return (as opposed to returning a wrong value). */
const ERRORS = new Set(['threw', 'timeout', 'memory', 'exit', 'access', 'compile', 'load', 'missing-export', 'output', 'stale', 'crash', 'grader']);

/** Exercism's test-runner v3 results.json. */
export function exercismResults(report: GradeReport): ExercismResults {
  const tests = report.outcomes
    .filter((o) => o.status !== 'skipped')
    .map((o): ExercismTest => {
      const message = o.status === 'passed' ? null : [o.failure?.summary ?? 'failed', o.failure?.detail ?? '', ...o.diagnoses.map((d) => `Likely mistake: ${d.hint}`)].filter(Boolean).join('\n\n');
      return {
        name: `${o.exercise} › ${o.group} › ${o.title}`,
        status: o.status === 'passed' ? 'pass' : ERRORS.has(o.failure?.category ?? '') ? 'error' : 'fail',
        message,
        // Exercism shows at most 500 characters of output per test.
        output: o.output && o.output.bytes > 0 ? o.output.stdout.slice(0, 500) : null,
        task_id: Number(o.exercise.slice(0, 2)),
      };
    });
  const status = report.status === 'error' ? 'error' : tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
  return {
    version: 3,
    status,
    message: report.status === 'error' ? 'The grader could not run every suite; your instructor has the details.' : status === 'pass' ? null : summarySentence(report),
    tests,
  };
}
