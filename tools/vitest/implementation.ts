/**
 * Which implementation the exercise suites test in the instructor repository (vitest.config.ts).
 * A suite imports the student's file directly (`import { batchnormForward } from './batchnorm.ts'`);
 * this vite plugin decides what that import means, so one suite serves every mode:
 *
 * - `exercises` — the files in `exercises/` as they are: the student's view, and the only mode a
 *   student release has.
 * - `solutions` — each `exercises/NN-slug/file.ts` resolves to `solutions/NN-slug/file.ts`: the
 *   instructor repository proving its suites against the reference.
 * - `dir:<path>` — imports resolve into a folder laid out like `exercises/`, in-process and without
 *   isolation: for an instructor's quick look at trusted code, never for grading.
 *
 * Grading is none of these: the grader configures vitest itself (grader/grade.ts) and runs
 * submissions in its sandbox.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Plugin } from 'vite';

export type ImplementationMode = 'exercises' | 'solutions' | `dir:${string}`;

const IMPLEMENTATION_FILE = /^exercises[/\\]([0-9]{2}-[a-z0-9-]+)[/\\]([^/\\]+)\.ts$/;

/**
 * For a path inside the kit, the exercise implementation file it names (`exercise`, `file`), or
 * null for tests, briefs and everything else.
 */
export function implementationFileOf(root: string, absolute: string): { exercise: string; file: string } | null {
  const rel = relative(root, absolute);
  const m = IMPLEMENTATION_FILE.exec(rel);
  if (!m || m[2]!.endsWith('.test')) return null;
  return { exercise: m[1]!, file: `${m[2]}.ts` };
}

/**
 * Redirects every import of `exercises/NN-slug/file.ts` to `<dir>/NN-slug/file.ts` (when that
 * file exists): `dir` is `solutions/` in the instructor repository, or any folder laid out like
 * `exercises/` (a submission, a mistaken copy of the solutions), wherever it is. A file inside
 * `dir` imports as if it stood in `exercises/`: `'../../lib/index.ts'` is the kit's lib/ and
 * `'../03-batchnorm/batchnorm.ts'` that exercise in `dir`; its own helper modules stay its own.
 */
export function directoryPlugin(root: string, dir: string, name = 'gradlab:directory'): Plugin {
  const exercises = join(root, 'exercises');
  const inside = (parent: string, path: string): boolean => {
    const rel = relative(parent, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  return {
    name,
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.')) return null;
      const from = importer.split('?')[0]!;
      const fromDir = inside(dir, from);
      const absolute = resolve(dirname(fromDir ? join(exercises, relative(dir, from)) : from), source.split('?')[0]!);
      const target = implementationFileOf(root, absolute);
      if (target) {
        const file = join(dir, target.exercise, target.file);
        return existsSync(file) ? file : null;
      }
      // The kit outside exercises/ (lib/, …) for a file of `dir`; anything else resolves as usual.
      if (fromDir && inside(root, absolute) && !inside(exercises, absolute) && existsSync(absolute)) return absolute;
      return null;
    },
  };
}

/** Redirects exercise imports to the reference solutions. */
export function solutionsPlugin(root: string): Plugin {
  return directoryPlugin(root, join(root, 'solutions'), 'gradlab:solutions');
}

/** The mode for this run: `GRADLAB_IMPL` if set, else solutions when the kit has them, else exercises. */
export function implementationMode(root: string, viteMode: string): ImplementationMode {
  const env = process.env['GRADLAB_IMPL'];
  if (env === 'exercises' || env === 'solutions') return env;
  if (env?.startsWith('dir:') && env.length > 4) return env as `dir:${string}`;
  if (env) throw new Error(`GRADLAB_IMPL must be exercises, solutions or dir:<path>, got '${env}'`);
  if (viteMode === 'student') return 'exercises';
  return existsSync(join(root, 'solutions')) ? 'solutions' : 'exercises';
}

