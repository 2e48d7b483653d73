/**
 * The grader's preparation thread: loads TypeScript once and transpiles submission after
 * submission while the main thread runs vitest, so loading the compiler overlaps with vitest's
 * start and the next submission's preparation with the current one's tests.
 *
 * Requests: `{ id, run: RunOptions }` → the PreparedRun; `{ id, submission, seed, index }` → a
 * PreparedSubmission (for the run prepared first).
 */
import { parentPort } from 'node:worker_threads';
import { typescript } from '../typescript.ts';
import { prepareRun, prepareSubmission, type PreparedRun, type RunOptions } from './prepare.ts';

type Request = { id: number; run: RunOptions } | { id: number; submission: string; seed: string; index: number };

let run: PreparedRun | null = null;

parentPort!.on('message', (request: Request) => {
  try {
    if ('run' in request) {
      run = prepareRun(request.run);
      parentPort!.postMessage({ id: request.id, ok: true, value: run });
      // Every submission needs the compiler: load it now, while the main thread starts vitest.
      typescript();
    } else {
      if (!run) throw new Error('prepare-worker: no run prepared');
      parentPort!.postMessage({ id: request.id, ok: true, value: prepareSubmission(run, request.submission, request.seed, request.index) });
    }
  } catch (error) {
    parentPort!.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
