/**
 * Runs `prepareSubmission` in a worker thread, so that loading TypeScript and transpiling the
 * submission overlap with vitest's own start in the grader's main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareSubmission, type PrepareOptions } from './prepare.ts';

try {
  const { workDir, manifestPath, manifest, exercises, notes } = prepareSubmission(workerData as PrepareOptions);
  parentPort!.postMessage({ ok: true, value: { workDir, manifestPath, manifest, exercises, notes } });
} catch (error) {
  parentPort!.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
}
