/**
 * Vitest setup of remote mode (added by remote-plugin.ts after lib/testing/setup.ts), per test file:
 *
 * - sets the submission's per-student seed and starts a sandbox process booting (a spare), then
 *   hands the file's exercise its process and module loads before the first test;
 * - opens a record of each test (calls, sandbox failures, closeness verdicts, prints) and stores
 *   its summary in `task.meta.gradlab`, which results.ts reads;
 * - runs the diagnoses of a failed test while its inputs and outputs are still here;
 * - re-registers `toBeAllClose` with the same verdict and message, also noting the verdict's kind
 *   (shape, values and the worst relative error, …) so hidden failures can say what went wrong
 *   without showing a single expected number;
 * - stops the file's sandboxes when the file is done.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { compareAllClose, explainAllClose, type Tolerance } from '../../lib/allclose.ts';
import type { Nested, Tensor } from '../../lib/tensor.ts';
import { DEFAULT_TOLERANCE } from '../../lib/testing/matchers.ts';
import { diagnose } from '../diagnose.ts';
import { closeSessions, prewarm, warmUp } from './client.ts';
import { remoteManifest } from './manifest.ts';
import { activeTest, beginTest, endTest, type GradlabMeta, type VerdictNote } from './test-state.ts';

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

// The per-student seed of this submission, for the hidden suites' variant cases (the test
// workers outlive submissions when one grader grades several).
process.env['GRADLAB_STUDENT_SEED'] = remoteManifest().seed;

// A sandbox process starts booting now, while vitest imports and collects the test file.
warmUp();

// Registered now and again before the file's tests, so that it replaces lib/testing/setup.ts's
// registration whatever order vitest runs the setup files in.
expect.extend(matchers);

beforeAll(({}, suite) => {
  expect.extend(matchers);
  // Start this suite's sandbox before its first test needs it.
  const task = suite as { filepath?: string; file?: { filepath?: string } };
  const path = task.filepath ?? task.file?.filepath ?? '';
  const exercise = /(?:^|[/\\])(?:exercises|grader[/\\]hidden)[/\\]([0-9]{2}-[a-z0-9-]+)[/\\]/.exec(path)?.[1];
  if (exercise) prewarm(exercise);
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
    if (failed && record.calls.length > 0) meta.diagnoses = await diagnose(record, remoteManifest().root);
    context.task.meta.gradlab = meta;
  } catch (error) {
    context.task.meta.gradlab = { called: [...record.callCounts.keys()], failures: [], verdicts: [], internal: String(error) };
  }
});

afterAll(() => {
  closeSessions();
});
