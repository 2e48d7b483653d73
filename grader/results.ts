/**
 * From vitest's test results to the grader's outcomes: which exercise, group and visibility each
 * test belongs to, whether it passed, and — when it failed — the kind of failure in words a
 * student may read. Hidden failures get only the case, its description and the kind of failure
 * (never the assertion message, which can hold expected numbers, nor anything the submission said
 * while it held hidden inputs); public failures also get the full diagnostics.
 */
import type { TestError } from 'vitest';
import type { TestCase, TestModule, TestSuite } from 'vitest/node';
import type { Diagnosis } from './diagnose.ts';
import type { FailureKind, FailureNote, GradlabMeta, VerdictNote } from './sandbox/test-state.ts';

export type Visibility = 'public' | 'hidden';

/** The kinds of failure feedback distinguishes. */
export type FailureCategory =
  | FailureKind
  | 'shape'
  | 'values'
  | 'nonfinite'
  | 'type'
  | 'assertion'
  | 'grader';

export interface FailureReport {
  category: FailureCategory;
  /** Safe for every test: the kind of failure, with no expected value and nothing the submission printed or threw. */
  summary: string;
  /** Full diagnostics (assertion message, the submission's error and stack): public tests only. */
  detail?: string;
}

export interface TestOutcome {
  exercise: string;
  visibility: Visibility;
  /** The suite file, relative to the kit root. */
  suite: string;
  /** The test's top-level describe() name: a rubric group. */
  group: string;
  /** The full test title: `fn › case-id: description` or `fn › sentence`. */
  title: string;
  fn: string;
  caseId?: string;
  description: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  failure?: FailureReport;
  diagnoses: Diagnosis[];
  /** What the submission printed during the test (bounded); public tests only. */
  output?: { stdout: string; stderr: string; bytes: number };
  /** Exercise functions the test called. */
  called: string[];
}

/** A test file that could not run at all: a problem of the kit, not of the submission. */
export interface SuiteError {
  suite: string;
  message: string;
}

const SUITE_PATH = /^(exercises|grader\/exercises)\/([0-9]{2}-[a-z0-9-]+)\//;
const TITLE = /^(.+?) › (.*)$/s;
const CASE = /^([a-z0-9][a-z0-9-]*): (.*)$/s;

/** Splits `fn › case-id: description` (or `fn › sentence`). */
export function parseTitle(title: string): { fn: string; caseId?: string; description: string } {
  const m = TITLE.exec(title);
  if (!m) return { fn: '', description: title };
  const [, fn, rest] = m as unknown as [string, string, string];
  const c = CASE.exec(rest);
  return c ? { fn, caseId: c[1]!, description: c[2]! } : { fn, description: rest };
}

function topGroup(test: TestCase): string {
  let node: TestCase | TestSuite = test;
  let group = '';
  while (node.parent.type === 'suite') {
    node = node.parent;
    group = node.name;
  }
  return group;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const sci = (v: number): string => (v === 0 ? '0' : v.toExponential(1));

/** Sandbox failures that explain a test's failure whatever else went wrong in it. */
const HARD: ReadonlySet<FailureKind> = new Set(['timeout', 'memory', 'exit', 'access', 'compile', 'load', 'missing-export', 'output', 'stale', 'crash', 'not-submitted']);

function noteSummary(note: FailureNote, hidden: boolean): string {
  switch (note.kind) {
    case 'not-implemented':
      return `not implemented yet: ${note.fn}`;
    case 'not-submitted':
      return `not submitted: the file with ${note.fn} is missing`;
    case 'timeout':
    case 'memory':
    case 'exit':
    case 'compile':
    case 'missing-export':
      // Produced by the grader from the process's fate or from the file alone: no input in them.
      return note.message;
    case 'access':
      return hidden ? `access denied in ${note.fn}: it tried to use something a submission may not (files, processes, network)` : note.message;
    case 'load':
      return hidden ? `the module with ${note.fn} could not be loaded` : note.message;
    case 'output':
      // The grader's own words about the size of prints or results are safe; the submission's
      // exception text (a getter that threw) is not.
      return !hidden || /^\S+ (printed more than|returned a Promise|returned \d+ MB)/.test(note.message)
        ? note.message
        : `${note.fn} returned a value the grader cannot use (not plain data, too large, or unreadable)`;
    case 'stale':
      return `${note.fn} was given a value from an earlier run of your code that was stopped`;
    case 'threw':
      // What the submission threw is its own text, written while it held the test's inputs.
      if (!hidden) return note.message;
      return note.errorName && note.errorName !== 'SubmissionError' ? `${note.fn} threw a ${note.errorName}` : `${note.fn} threw a value that is not an Error`;
    case 'crash':
      return hidden ? 'the grader could not run this test' : note.message;
  }
}

function verdictSummary(v: VerdictNote, hidden: boolean): string {
  const what = `\`${v.what}\``;
  switch (v.kind) {
    case 'shape':
      return hidden || !v.gotShape ? `${what} has the wrong shape` : `${what} has the wrong shape: got [${v.gotShape.join(', ')}], expected [${(v.expectedShape ?? []).join(', ')}]`;
    case 'values':
      return `${what} has wrong values: ${v.count ?? '?'} of ${plural(v.size ?? 0, 'element')} out of tolerance, worst relative error ${sci(v.worstRelError ?? 0)}`;
    case 'nonfinite':
      return `${what} has ${plural(v.count ?? 1, 'non-finite value')} (NaN or Infinity)`;
    case 'type':
      return `${what} is not a tensor { shape, data: Float64Array }`;
  }
}

function assertionSummary(group: string, fn: string): string {
  switch (group) {
    case 'bad input':
      return `${fn || 'the function'} did not reject this bad input as required (a RangeError or TypeError naming the function and the argument)`;
    case 'shapes':
      return `${fn || 'the result'}: a shape check failed`;
    default:
      return `${fn || 'the result'}: a check on the result failed`;
  }
}

function errorText(error: TestError): string {
  const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
  return `${name}${error.message ?? ''}`;
}

/** The student's own stack frames, kept by the proxy when it rebuilt their error. */
function submissionFrames(error: TestError): string[] {
  return (error.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at .*\bexercises\/[0-9]{2}-/.test(l) && !l.includes('.test.ts'))
    .map((l) => l.trim());
}

/** The failure report of a failed test. */
export function classifyFailure(errors: readonly TestError[], meta: GradlabMeta | undefined, group: string, fn: string, visibility: Visibility): FailureReport {
  const hidden = visibility === 'hidden';
  const error = errors[0];
  const notes = meta?.failures ?? [];
  const detail = hidden || !error ? undefined : [errorText(error), ...submissionFrames(error)].join('\n');
  const withDetail = (report: FailureReport): FailureReport => (detail !== undefined ? { ...report, detail } : report);

  const hard = notes.find((n) => HARD.has(n.kind));
  if (hard) return withDetail({ category: hard.kind, summary: noteSummary(hard, hidden) });
  if (error?.name === 'NotImplementedError') {
    const note = notes.find((n) => n.kind === 'not-implemented') ?? { kind: 'not-implemented' as const, fn, message: '' };
    return withDetail({ category: 'not-implemented', summary: noteSummary(note, hidden) });
  }
  const threw = error ? notes.find((n) => n.kind === 'threw' && n.errorName === error.name && n.errorMessage === error.message) : undefined;
  if (threw) return withDetail({ category: 'threw', summary: noteSummary(threw, hidden) });
  const verdict = meta?.verdicts[0];
  if (verdict) return withDetail({ category: verdict.kind, summary: verdictSummary(verdict, hidden) });
  const notImplemented = notes.find((n) => n.kind === 'not-implemented');
  if (notImplemented) return withDetail({ category: 'not-implemented', summary: noteSummary(notImplemented, hidden) });
  return withDetail({ category: 'assertion', summary: assertionSummary(group, fn) });
}

/** Outcomes of every test vitest ran, and the suites that could not run. */
export function collectOutcomes(modules: readonly TestModule[]): { outcomes: TestOutcome[]; suiteErrors: SuiteError[] } {
  const outcomes: TestOutcome[] = [];
  const suiteErrors: SuiteError[] = [];
  // Modules finish in any order: report by exercise, public suite before hidden, tests as written.
  const key = (m: TestModule): string => {
    const rel = m.relativeModuleId.replace(/\\/g, '/');
    const match = SUITE_PATH.exec(rel);
    return match ? `${match[2]}\0${match[1] === 'exercises' ? 0 : 1}\0${rel}` : `~${rel}`;
  };
  for (const module of [...modules].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))) {
    const suite = module.relativeModuleId.replace(/\\/g, '/');
    const m = SUITE_PATH.exec(suite);
    if (!m) continue;
    const visibility: Visibility = m[1] === 'exercises' ? 'public' : 'hidden';
    const exercise = m[2]!;
    const moduleErrors = module.errors();
    if (moduleErrors.length > 0) {
      suiteErrors.push({ suite, message: moduleErrors.map((e) => `${e.name ?? 'Error'}: ${e.message ?? ''}`).join('\n') });
    }
    for (const test of module.children.allTests()) {
      const result = test.result();
      const meta = test.meta().gradlab;
      const { fn, caseId, description } = parseTitle(test.name);
      const group = topGroup(test);
      const status = result.state === 'passed' ? 'passed' : result.state === 'failed' ? 'failed' : 'skipped';
      const outcome: TestOutcome = {
        exercise,
        visibility,
        suite,
        group,
        title: test.name,
        fn,
        description,
        status,
        durationMs: test.diagnostic()?.duration ?? 0,
        diagnoses: status === 'failed' ? (meta?.diagnoses ?? []) : [],
        called: meta?.called ?? [],
      };
      if (caseId !== undefined) outcome.caseId = caseId;
      if (status === 'failed') outcome.failure = classifyFailure(result.state === 'failed' ? result.errors : [], meta, group, fn, visibility);
      if (meta?.output && visibility === 'public') outcome.output = meta.output;
      outcomes.push(outcome);
    }
  }
  return { outcomes, suiteErrors };
}
