/**
 * The remote manifest: what `prepare.ts` learned about a submission, written as JSON into the
 * grader's private temp dir and read by the vite plugin (to generate proxies) and by every test
 * worker (to start sandboxes). Its path travels in `GRADLAB_REMOTE_MANIFEST`; the grader rewrites
 * the file (atomically) for each submission it grades.
 */
import { readFileSync, statSync } from 'node:fs';
import type { SandboxLimits } from './helper.ts';

export interface ExportInfo {
  name: string;
  /** Functions become synchronous proxies; values are fetched once; classes are not supported. */
  kind: 'function' | 'value' | 'class';
}

export interface FileManifest {
  /**
   * ok: transpiled; missing: the submission has no such file; compile-error: it does not
   * transpile; pending: not known yet (the manifest is not ready).
   */
  status: 'ok' | 'missing' | 'compile-error' | 'pending';
  /** For compile-error: the first diagnostics, with line and column. */
  error?: string;
  /** Path of the transpiled module inside the sandbox: 'exercises/03-batchnorm/batchnorm.js'. */
  sandboxPath: string;
  /** The reference solution's runtime exports: the names the suites may import. */
  exports: ExportInfo[];
}

export interface ExerciseManifest {
  /** Implementation files by name: 'batchnorm.ts'. */
  files: Record<string, FileManifest>;
}

export interface RemoteManifest {
  /** The kit's root directory. */
  root: string;
  /** Where the sandbox process may read. */
  sandboxDir: string;
  /** The transpiled helper thread (trusted, outside the sandbox dir). */
  helperFile: string;
  /** The seed of the per-student variant cases (GRADLAB_STUDENT_SEED in the test workers). */
  seed: string;
  /**
   * False while the submission is still being transpiled: suites may load and sandbox processes
   * boot, but no module is loaded until it is true (see `readyManifest`).
   */
  ready: boolean;
  /** Set when preparing the submission failed (a grader error): every call reports it. */
  failed?: string;
  limits: SandboxLimits;
  /** Time limit of one call into the submission, in ms. */
  callMs: number;
  /** Time limit of loading one module (its top-level code), in ms. */
  loadMs: number;
  /** After this many timeouts, memory failures or exits of one function, it is not called again. */
  strikes: number;
  /** Total time one test file may spend waiting on calls that end in timeouts, in ms. */
  timeoutBudgetMs: number;
  exercises: Record<string, ExerciseManifest>;
  /**
   * The suites of this grading run, per lane in the order they run (kit-relative paths: the
   * public suite of each exercise, then its hidden suite; see plan.ts). Test workers use it to
   * know which sandbox the next file needs (see client.ts); absent outside a grading run.
   */
  plan?: string[][];
}

export const MANIFEST_ENV = 'GRADLAB_REMOTE_MANIFEST';

/**
 * The manifest of the submission being graded. Read afresh when the file changed: one grader
 * grades submission after submission by rewriting it, while the test workers keep running.
 */
export function remoteManifest(): RemoteManifest {
  const path = process.env[MANIFEST_ENV];
  if (!path) {
    throw new Error(
      `remote mode needs ${MANIFEST_ENV}: it is started by \`npm run grade -- <submission>\`, not by running vitest directly`,
    );
  }
  // The grader replaces the file by renaming a new one over it: a new inode means a new manifest.
  const { ino, mtimeMs } = statSync(path);
  if (cached?.path === path && cached.ino === ino && cached.mtimeMs === mtimeMs) return cached.manifest;
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as RemoteManifest;
  cached = { path, ino, mtimeMs, manifest };
  return manifest;
}

let cached: { path: string; ino: number; mtimeMs: number; manifest: RemoteManifest } | null = null;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The manifest once it is ready, waiting (a few ms at a time) while the submission is transpiled. */
export function readyManifest(timeoutMs = 120_000): RemoteManifest {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const manifest = remoteManifest();
    if (manifest.ready) return manifest;
    if (Date.now() > deadline) throw new Error('the submission was not prepared in time');
    Atomics.wait(sleeper, 0, 0, 5);
  }
}
