/**
 * From vitest's test results to the grader's outcomes: which exercise, group and visibility each
 * test belongs to, whether it passed, and — when it failed — the kind of failure in words a
 * student may read. Hidden failures get only the case, its description and the kind of failure
 * (never the assertion message, which can hold expected numbers, nor anything the submission said
 * while it held hidden inputs); public failures also get the full diagnostics.
 */
import type { TestError } from 'vitest';
import type { TestCase, TestModule, TestSuite } from 'vitest/node';
import type { Diagnosis } from './test-worker/diagnose.ts';
import type { FailureKind, FailureNote, GradlabMeta, VerdictNote } from './test-worker/records.ts';

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
  /**
   * What the student reads. For a hidden test, the grader's own words only: the kind of failure,
   * never an expected value, nor anything the submission printed, threw or returned.
   */
  summary: string;
  /** Full diagnostics (assertion message, the submission's error and stack): public tests only. */
  detail?: string;
  /**
   * For a hidden test, the assertion's full message, for the instructor answering an appeal
   * (grade.json and `npm run grade -- explain`); never in anything a student receives.
   */
  instructorDetail?: string;
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

/**
 * What a hidden test's failure says: the grader's own words, from a fixed list, with nothing in
 * them that the submission chose — no message, no error name, no number, no shape — because the
 * submission held the hidden inputs when it wrote them. `fn` comes from the test, never from the
 * submission. (Which of these a test fails with is still the submission's choice, and so is
 * which checked output fails first and which known mistake its outputs match: passed, 7 kinds
 * chosen at will (threw, output, mutation, missing export, not implemented, stale, a check), 4
 * verdicts for each of the test's k labelled outputs, and one of the M known mistakes of the
 * function as a per-test "Likely mistake" — log2(8 + 4k + M) bits a hidden test, 3.9 for k = 1
 * and M = 3, at most 4.6 in this kit; timeouts and memory add a little, two strikes a function.
 * The least a grader that says *how* a test failed can give away is about three.)
 */
function hiddenNoteSummary(note: FailureNote): string {
  switch (note.kind) {
    case 'not-implemented':
      return `not implemented yet: ${note.fn}`;
    case 'not-submitted':
      return `not submitted: the file with ${note.fn} is missing`;
    case 'compile':
      return `the file with ${note.fn} does not compile (the public tests show the error)`;
    case 'load':
      return `the module with ${note.fn} could not be loaded (the public tests show why)`;
    case 'access':
      return `${note.fn}'s module imports something a submission may not use (files, processes, network)`;
    case 'missing-export':
      return `${note.fn} is not exported by the submitted file`;
    case 'timeout':
      return `${note.fn} ran out of CPU time`;
    case 'memory':
      return `${note.fn} exceeded the memory limit`;
    case 'output':
      return `${note.fn} printed too much or returned something the grader cannot use`;
    case 'stale':
      return `${note.fn} was given a value from an earlier run of your code that was stopped`;
    case 'threw':
      return `${note.fn} threw an error`;
    case 'mutation':
      return `${note.fn} changed one of its arguments (functions must leave their inputs unchanged)`;
    case 'exit':
    case 'crash':
      return `the sandbox stopped while running ${note.fn}`;
  }
}

/** What a public test's failure says: the full reason. */
function publicNoteSummary(note: FailureNote): string {
  switch (note.kind) {
    case 'not-implemented':
      return `not implemented yet: ${note.fn}`;
    case 'not-submitted':
      return `not submitted: the file with ${note.fn} is missing`;
    case 'stale':
      return `${note.fn} was given a value from an earlier run of your code that was stopped`;
    default:
      return note.message;
  }
}

function hiddenVerdictSummary(v: VerdictNote): string {
  const what = `\`${v.what}\``;
  switch (v.kind) {
    case 'shape':
      return `${what} has the wrong shape`;
    case 'values':
      return `${what} has wrong values`;
    case 'nonfinite':
      return `${what} has non-finite values (NaN or Infinity)`;
    case 'type':
      return `${what} is not a tensor { shape, data: Float64Array }`;
  }
}

function publicVerdictSummary(v: VerdictNote): string {
  const what = `\`${v.what}\``;
  switch (v.kind) {
    case 'shape':
      return !v.gotShape ? `${what} has the wrong shape` : `${what} has the wrong shape: got [${v.gotShape.join(', ')}], expected [${(v.expectedShape ?? []).join(', ')}]`;
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
  // The assertion's own message, for the instructor (grade.json) and, on public tests, the student.
  const message = error ? [errorText(error), ...submissionFrames(error)].join('\n') : undefined;
  const finish = (category: FailureCategory, publicSummary: string, hiddenSummary: string): FailureReport => {
    const report: FailureReport = { category, summary: hidden ? hiddenSummary : publicSummary };
    if (message !== undefined) {
      if (hidden) report.instructorDetail = message;
      else report.detail = message;
    }
    return report;
  };
  const hard = notes.find((n) => HARD.has(n.kind));
  if (hard) return finish(hard.kind, publicNoteSummary(hard), hiddenNoteSummary(hard));
  const mutation = meta?.mutations?.[0];
  if (mutation) {
    const note: FailureNote = { kind: 'mutation', fn: mutation.fn, message: '' };
    return finish('mutation', `${mutation.fn} changed its argument ${mutation.arg + 1} (functions must leave their inputs unchanged; copy before you modify)`, hiddenNoteSummary(note));
  }
  if (error?.name === 'NotImplementedError') {
    const note = notes.find((n) => n.kind === 'not-implemented') ?? { kind: 'not-implemented' as const, fn, message: '' };
    return finish('not-implemented', publicNoteSummary(note), hiddenNoteSummary(note));
  }
  const threw = error ? notes.find((n) => n.kind === 'threw' && n.errorName === error.name && n.errorMessage === error.message) : undefined;
  if (threw) return finish('threw', publicNoteSummary(threw), hiddenNoteSummary(threw));
  const verdict = meta?.verdicts[0];
  if (verdict) return finish(verdict.kind, publicVerdictSummary(verdict), hiddenVerdictSummary(verdict));
  const notImplemented = notes.find((n) => n.kind === 'not-implemented');
  if (notImplemented) return finish('not-implemented', publicNoteSummary(notImplemented), hiddenNoteSummary(notImplemented));
  return finish('assertion', assertionSummary(group, fn), assertionSummary(group, fn));
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
