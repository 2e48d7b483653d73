/**
 * Vitest setup of a grading run (the grader adds it after lib/testing/setup.ts), per test file:
 *
 * - routes numerical gradients of the submission's functions (lib/testing/gradcheck.ts's
 *   `numericalGradientOf`) and repeated calls (lib/testing/repeat.ts's `callRepeatedly`) to the
 *   sandbox, where all their evaluations run in one request;
 * - tells the sandbox a new file starts (objects kept for earlier files' handles may go);
 * - opens a record of each test (calls, sandbox failures, closeness verdicts, prints) and stores
 *   its summary in `task.meta.gradlab`, which results.ts reads;
 * - runs the diagnoses of a failed test while its inputs and outputs are still here;
 * - fails a test during which the submission changed one of its arguments;
 * - re-registers `toBeAllClose` with the same verdict and message, also noting the verdict's kind
 *   (shape, values and the worst relative error, …) so hidden failures can say what went wrong
 *   without showing a single expected number;
 * - when the file is done, stops the sandboxes the next planned file does not need (`endFile`).
 */
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { compareAllClose, explainAllClose, type Tolerance } from '../../lib/allclose.ts';
import type { Nested, Tensor } from '../../lib/tensor.ts';
import { DEFAULT_TOLERANCE } from '../../lib/testing/matchers.ts';
import { delegateNumericalGradients } from '../../lib/testing/gradcheck.ts';
import { delegateRepeatedCalls } from '../../lib/testing/repeat.ts';
import { diagnose } from './diagnose.ts';
import { remoteTargets } from './proxies.ts';
import { activeTest, beginTest, endTest, type GradlabMeta, type VerdictNote } from './records.ts';
import { currentPlan, mutationMessage, sandbox, SubmissionError } from './sandbox.ts';

const matchers = {
  toBeAllClose(this: { isNot?: boolean }, received: unknown, expected: Tensor | number | Nested, tolerance: Partial<Tolerance> & { what?: string } = {}) {
    const tol: Tolerance = { rtol: tolerance.rtol ?? DEFAULT_TOLERANCE.rtol, atol: tolerance.atol ?? DEFAULT_TOLERANCE.atol };
    const verdict = compareAllClose(received, expected, tol);
    const what = tolerance.what ?? 'result';
    const pass = verdict.kind === 'ok';
    const record = activeTest();
    if (record && pass === (this.isNot === true) && record.verdicts.length < 8) {
      let note: VerdictNote;
      switch (verdict.kind) {
        case 'ok':
          note = { what, kind: 'values', worstRelError: 0 };
          break;
        case 'values':
          note = { what, kind: 'values', worstRelError: verdict.worstRelError, count: verdict.count, size: verdict.size };
          break;
        case 'shape':
          note = { what, kind: 'shape', gotShape: verdict.gotShape, expectedShape: verdict.expectedShape };
          break;
        case 'nonfinite':
          note = { what, kind: 'nonfinite', count: verdict.count };
          break;
        case 'type':
          note = { what, kind: 'type' };
          break;
      }
      record.verdicts.push(note);
    }
    return {
      pass,
      message: () => (pass ? `${what} is close to the expected values, but the test expected it not to be` : explainAllClose(verdict, tol, what)),
    };
  },
};

delegateNumericalGradients((fn, args, options) => {
  const target = remoteTargets.get(fn);
  return target ? sandbox().gradient(target.exercise, target.file, target.fn, [...args], options) : undefined;
});

delegateRepeatedCalls((fn, args, times) => {
  const target = remoteTargets.get(fn);
  return target ? sandbox().repeat(target.exercise, target.file, target.fn, [...args], times) : undefined;
});

// Registered now and again before the file's tests, so that it replaces lib/testing/setup.ts's
// registration whatever order vitest runs the setup files in.
expect.extend(matchers);

beforeAll(() => {
  expect.extend(matchers);
  if (currentPlan()) sandbox().beginFile();
});

beforeEach(() => {
  beginTest();
});

afterEach(async (context) => {
  const record = endTest();
  if (!record) return;
  try {
    const failed = context.task.result?.state === 'fail';
    const meta: GradlabMeta = {
      called: [...record.callCounts.keys()],
      failures: record.failures.slice(0, 4),
      verdicts: record.verdicts.slice(0, 4),
    };
    if (record.outputBytes > 0) meta.output = { stdout: record.stdout, stderr: record.stderr, bytes: record.outputBytes };
    if (record.mutations.length > 0) meta.mutations = record.mutations.slice(0, 4);
    if (failed && record.calls.length > 0) meta.diagnoses = await diagnose(record, currentPlan()!.root);
    context.task.meta.gradlab = meta;
  } catch (error) {
    context.task.meta.gradlab = { called: [...record.callCounts.keys()], failures: [], verdicts: [], internal: String(error) };
  }
  // A test during which the submission changed an argument fails, even when it caught the error
  // the call raised: functions must leave their inputs unchanged (sandbox.ts's #afterCall).
  const mutation = record.mutations[0];
  if (mutation && context.task.result?.state !== 'fail') throw new SubmissionError('mutation', mutationMessage(mutation.fn, mutation.arg));
});
