/**
 * The grader's preparation thread: loads TypeScript once and transpiles submission after
 * submission while the main thread runs vitest, so loading the compiler overlaps with vitest's
 * start and the next submission's preparation with the current one's tests.
 *
 * Requests: `{ id, run: RunOptions }` → the PreparedRun; `{ id, stage: { submission, seed, index } }`
 * → the staged submission (sandbox folder, manifest not ready); `{ id, finish: index }` → the same
 * submission transpiled, its manifest ready; `{ id, compileSelf }` → the grader's own code compiled;
 * `{ id, rubric: root }` → the kit's rubric, validated (ajv's compile stays off the main thread,
 * which is busy starting vitest).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { loadRubric } from '../rubric.ts';
import { typescript } from '../typescript.ts';
import { finishSubmission, prepareRun, stageSubmission, transpile, type PreparedRun, type PreparedSubmission, type RunOptions } from './prepare.ts';

type Request =
  | { id: number; run: RunOptions }
  | { id: number; stage: { submission: string; seed: string; index: number } }
  | { id: number; finish: number }
  | { id: number; compileSelf: { root: string; dir: string; modules: string[] } }
  | { id: number; rubric: string };

/** Transpiles this worker's module closure into `dir` (see worker-build.ts), published atomically. */
function compileSelf({ root, dir, modules }: { root: string; dir: string; modules: string[] }): void {
  if (existsSync(dir)) return;
  const temp = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  for (const rel of modules) {
    const { js, error } = transpile(readFileSync(join(root, rel), 'utf8'), rel);
    if (error) throw new Error(`${rel} does not transpile: ${error}`);
    mkdirSync(dirname(join(temp, rel)), { recursive: true });
    writeFileSync(join(temp, rel.replace(/\.ts$/, '.js')), js);
  }
  writeFileSync(join(temp, 'package.json'), '{ "type": "module" }\n');
  try {
    renameSync(temp, dir);
  } catch {
    rmSync(temp, { recursive: true, force: true }); // another grader published it first
  }
  // Copies built from older sources are dead weight: drop those not touched for an hour.
  const prefix = basename(dir).replace(/-[0-9a-f]+$/, '-');
  for (const name of readdirSync(dirname(dir))) {
    const path = join(dirname(dir), name);
    if (name.startsWith(prefix) && path !== dir && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
}

let run: PreparedRun | null = null;
const staged = new Map<number, PreparedSubmission>();

parentPort!.on('message', (request: Request) => {
  try {
    if ('rubric' in request) {
      parentPort!.postMessage({ id: request.id, ok: true, value: loadRubric(request.rubric) });
    } else if ('compileSelf' in request) {
      compileSelf(request.compileSelf);
      parentPort!.postMessage({ id: request.id, ok: true, value: null });
    } else if ('run' in request) {
      run = prepareRun(request.run);
      parentPort!.postMessage({ id: request.id, ok: true, value: run });
    } else {
      if (!run) throw new Error('prepare-worker: no run prepared');
      if ('stage' in request) {
        const { submission, seed, index } = request.stage;
        const prepared = stageSubmission(run, submission, seed, index);
        staged.set(index, prepared);
        parentPort!.postMessage({ id: request.id, ok: true, value: prepared });
        // The suites start once staged; the compiler loads now (for `finish`), while they do.
        typescript();
      } else {
        const prepared = staged.get(request.finish);
        staged.delete(request.finish);
        if (!prepared) throw new Error(`prepare-worker: submission ${request.finish} was not staged`);
        parentPort!.postMessage({ id: request.id, ok: true, value: finishSubmission(run, prepared) });
      }
    }
  } catch (error) {
    parentPort!.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
