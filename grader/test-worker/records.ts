/**
 * What the trusted side observes during one test: the calls into the submission (for diagnoses),
 * the failures the sandbox reported (for the kind of failure in feedback), arguments a function
 * changed, the closeness verdicts of failed `toBeAllClose` checks, and what the student printed.
 * `setup.ts` opens a record before each test and turns it into `task.meta.gradlab` after it;
 * `sandbox.ts` fills it.
 */
import type { CloseVerdict } from '../../lib/allclose.ts';

/** One call into the submission, kept for diagnosis (inputs as they were when the call was made). */
export interface CallRecord {
  exercise: string;
  /** Implementation file inside the exercise: 'batchnorm.ts'. */
  file: string;
  fn: string;
  /** A snapshot of the arguments: data copied, functions, generators and sandbox values by reference. */
  args: unknown[];
  /** The decoded result, or undefined when the call failed. */
  result?: unknown;
  failed: boolean;
}

/** Every kind of failure the grader distinguishes in feedback. */
export type FailureKind =
  | 'not-implemented'
  | 'not-submitted'
  | 'compile'
  | 'load'
  | 'missing-export'
  | 'threw'
  | 'timeout'
  | 'memory'
  | 'exit'
  | 'access'
  | 'output'
  | 'stale'
  | 'crash'
  /** A function changed an argument it was given (functions must be pure). */
  | 'mutation';

/** A failure reported by the sandbox for one call in this test. */
export interface FailureNote {
  kind: FailureKind;
  fn: string;
  /** Student-facing reason, in full (public tests show it). */
  message: string;
  /** The name and message of the error the test received, to recognise it among the test's errors. */
  errorName?: string;
  errorMessage?: string;
}

/** A failed closeness check, without the numbers a hidden test must not reveal. */
export interface VerdictNote {
  what: string;
  kind: Exclude<CloseVerdict['kind'], 'ok'>;
  worstRelError?: number;
  count?: number;
  size?: number;
  gotShape?: number[];
  expectedShape?: number[];
}

/** A function that changed one of its arguments during the test. */
export interface MutationNote {
  fn: string;
  /** Which argument: its position (0-based). */
  arg: number;
}

export interface TestRecord {
  calls: CallRecord[];
  mutations: MutationNote[];
  /** Calls seen per function, recorded or not. */
  callCounts: Map<string, number>;
  failures: FailureNote[];
  verdicts: VerdictNote[];
  stdout: string;
  stderr: string;
  outputBytes: number;
}

/** Calls kept per function and test: diagnoses look at the first few calls only. */
export const MAX_RECORDED_CALLS = 8;
const MAX_OUTPUT = 8 * 1024;

let active: TestRecord | null = null;

/** Opens the record of a new test. */
export function beginTest(): TestRecord {
  active = { calls: [], mutations: [], callCounts: new Map(), failures: [], verdicts: [], stdout: '', stderr: '', outputBytes: 0 };
  return active;
}

/** Closes the current record and returns it. */
export function endTest(): TestRecord | null {
  const record = active;
  active = null;
  return record;
}

/** The record of the running test, or null between tests (module level code, hooks). */
export function activeTest(): TestRecord | null {
  return active;
}

/** Appends the student's prints to the running test's record, bounded. */
export function recordOutput(stdout: string, stderr: string, bytes: number): void {
  if (!active || bytes === 0) return;
  active.outputBytes += bytes;
  if (active.stdout.length < MAX_OUTPUT) active.stdout += stdout.slice(0, MAX_OUTPUT - active.stdout.length);
  if (active.stderr.length < MAX_OUTPUT) active.stderr += stderr.slice(0, MAX_OUTPUT - active.stderr.length);
}

/** What a test's run leaves in `task.meta.gradlab` for the grader's reporter. */
export interface GradlabMeta {
  /** Exercise functions the test called. */
  called: string[];
  failures: FailureNote[];
  verdicts: VerdictNote[];
  mutations?: MutationNote[];
  output?: { stdout: string; stderr: string; bytes: number };
  diagnoses?: { exercise: string; fn: string; mistake: string; hint: string }[];
  /** A problem of the grader's own bookkeeping (never the submission's). */
  internal?: string;
}

declare module 'vitest' {
  interface TaskMeta {
    gradlab?: GradlabMeta;
  }
}
