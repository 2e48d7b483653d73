/**
 * What there is to grade, read from the repository rather than listed anywhere: every
 * `exercises/NN-slug/` folder is an exercise, its `.ts` files other than tests are the files a
 * submission implements, its public suites sit beside them and its hidden suites in
 * `grader/exercises/NN-slug/`. The reference solution next to each file says which names the
 * suites may import, and their kind (`referenceExports`).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Exercise {
  /** '03-batchnorm' */
  id: string;
  /** 3 */
  number: number;
  /** Implementation files, by name order: 'batchnorm.ts'. */
  files: string[];
  /** Test files of the public suite, relative to the kit root. */
  publicSuites: string[];
  /** Test files of the hidden suite, relative to the kit root. */
  hiddenSuites: string[];
}

export const EXERCISE_DIR = /^([0-9]{2})-[a-z0-9-]+$/;
const TEST_FILE = /\.(test|spec)\.ts$/;

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every exercise of the kit at `root`, in number order. */
export function discoverExercises(root: string): Exercise[] {
  const dir = join(root, 'exercises');
  if (!isDir(dir)) throw new Error(`discoverExercises: no exercises/ folder in ${root}`);
  return readdirSync(dir)
    .filter((name) => EXERCISE_DIR.test(name) && isDir(join(dir, name)))
    .sort()
    .map((id) => {
      const entries = readdirSync(join(dir, id)).sort();
      const hiddenDir = join(root, 'grader', 'exercises', id);
      return {
        id,
        number: Number(EXERCISE_DIR.exec(id)![1]),
        files: entries.filter((f) => f.endsWith('.ts') && !TEST_FILE.test(f) && !f.endsWith('.d.ts')),
        publicSuites: entries.filter((f) => TEST_FILE.test(f)).map((f) => `exercises/${id}/${f}`),
        hiddenSuites: isDir(hiddenDir) ? readdirSync(hiddenDir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `grader/exercises/${id}/${f}`) : [],
      };
    });
}

export type ExportKind = 'function' | 'value' | 'class';

/**
 * The runtime exports of the reference solution of `exercise/file` (the stub's when the kit has no
 * solutions), with their kind: the names a suite may import. Loads the module (trusted code).
 */
export async function referenceExports(root: string, exercise: string, file: string): Promise<{ name: string; kind: ExportKind }[]> {
  const solution = join(root, 'solutions', exercise, file);
  const path = existsSync(solution) ? solution : join(root, 'exercises', exercise, file);
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  return Object.keys(module)
    .sort()
    .map((name) => {
      const value = module[name];
      const kind: ExportKind = typeof value === 'function' ? (/^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function') : 'value';
      return { name, kind };
    });
}
