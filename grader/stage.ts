/**
 * Staging: a submission folder becomes the parts of a plan (grader/plan.ts) — its files, read and
 * transpiled in this process, and what each exercise's suites will find. Nothing of the
 * submission runs here, and nothing is written: the sources travel to the sandbox in the plan.
 *
 * Only `.ts` files inside the kit's exercise folders count (tests, `.d.ts`, node_modules, dot
 * folders, other file types are left out), each a regular file (never a symbolic link, a FIFO or
 * a socket), at most 512 KB each, 100 files an exercise and 8 MB in all, the kit's own file names
 * (`batchnorm.ts`) read first. What was left out is summarised in notes
 * the student reads, with paths relative to the submission only.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { transpile } from './build.ts';
import type { Exercise } from './discover.ts';
import type { PlannedExercise } from './plan.ts';
import type { ModuleSource } from './shared/protocol.ts';

const MAX_FILE_BYTES = 512 * 1024;
/**
 * Source read in one submission: what is past it is ignored. The sources travel to the sandbox in
 * one frame, with their source maps; 300 MB of junk took 3 GB of the grader's memory and a frame
 * the sandbox refused, so that every test failed for a reason the student could not read.
 */
const MAX_TOTAL_BYTES = 8 * 1024 * 1024;
const MAX_FILES_PER_EXERCISE = 100;
const MAX_DEPTH = 5;
/** Entries looked at in one submission before the rest is ignored unread (a folder of junk). */
const MAX_ENTRIES = 5000;

export interface StagedSubmission {
  /** Transpiled files by sandbox path: 'exercises/03-batchnorm/batchnorm.ts'. */
  submission: Record<string, ModuleSource>;
  /** Exercises whose files are exactly the kit's stubs, byte for byte (see `stubSources`). */
  untouched: string[];
  exercises: Record<string, PlannedExercise>;
  /** What was left out, summarised (student-facing; paths relative to the submission). */
  notes: string[];
  /** Bytes of source read, for the record. */
  bytes: number;
}

/** The folder holding the submission's `NN-slug/` folders: `<dir>/exercises` if present, else `<dir>`. */
export function submissionRoot(dir: string): string {
  const nested = join(dir, 'exercises');
  try {
    if (lstatSync(nested).isDirectory()) return nested;
  } catch {
    /* laid out like exercises/ itself */
  }
  return dir;
}

/** Reads a regular file without following a link and without blocking on a FIFO. */
function readRegularFile(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return null;
    const buffer = Buffer.alloc(info.size);
    let offset = 0;
    while (offset < info.size) {
      const n = readSync(fd, buffer, offset, info.size - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return buffer.subarray(0, offset);
  } finally {
    closeSync(fd);
  }
}

class Ignored {
  readonly #reasons = new Map<string, { count: number; examples: string[] }>();
  note(reason: string, path: string): void {
    const entry = this.#reasons.get(reason) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(path);
    this.#reasons.set(reason, entry);
  }
  lines(): string[] {
    return [...this.#reasons].map(([reason, { count, examples }]) => `${count === 1 ? '1 file' : `${count} files`} ${reason}: ${examples.join(', ')}${count > examples.length ? ', …' : ''}`);
  }
}

/** Stages the submission in `dir` for the kit's `exercises` (only those are read). */
export async function stageSubmission(
  dir: string,
  exercises: readonly Exercise[],
  exportsOf: (exercise: string, file: string) => PlannedExercise['files'][string]['exports'],
  stubs: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): Promise<StagedSubmission> {
  const base = submissionRoot(dir);
  const ignored = new Ignored();
  const submission: Record<string, ModuleSource> = {};
  const planned: Record<string, PlannedExercise> = {};
  const known = new Set(exercises.map((e) => e.id));
  const reads: { path: string; text: string; shown: string }[] = [];
  const texts = new Map<string, Map<string, string>>();
  let entries = 0;
  let bytes = 0;
  let topLevel: string[] = [];
  try {
    topLevel = readdirSync(base).sort();
  } catch {
    topLevel = [];
  }
  for (const name of topLevel) {
    if (/^[0-9]{2}-[a-z0-9-]+$/.test(name) && !known.has(name)) ignored.note('in a folder that is not an exercise of this kit', `${name}/`);
  }
  for (const exercise of exercises) {
    const folder = join(base, exercise.id);
    let folderOk = false;
    try {
      folderOk = lstatSync(folder).isDirectory();
    } catch {
      folderOk = false;
    }
    if (folderOk) {
      let count = 0;
      const walk = (current: string, rel: string, depth: number): void => {
        let names: string[];
        try {
          names = readdirSync(current).sort();
        } catch {
          return;
        }
        // The implementation files the suites import come first: no number of other files can crowd them out.
        if (rel === '') names = [...names.filter((n) => exercise.files.includes(n)), ...names.filter((n) => !exercise.files.includes(n))];
        for (const name of names) {
          const path = join(current, name);
          const relPath = rel ? `${rel}/${name}` : name;
          const shown = `${exercise.id}/${relPath}`;
          if (++entries > MAX_ENTRIES) {
            if (entries === MAX_ENTRIES + 1) ignored.note(`not read: the submission has more than ${MAX_ENTRIES} entries`, shown);
            return;
          }
          let info;
          try {
            info = lstatSync(path);
          } catch {
            continue;
          }
          if (info.isSymbolicLink()) {
            ignored.note('ignored: symbolic links are not followed', shown);
            continue;
          }
          if (info.isDirectory()) {
            if (name === 'node_modules' || name.startsWith('.')) ignored.note('ignored: dot folders and node_modules are not read', `${shown}/`);
            else if (depth >= MAX_DEPTH) ignored.note(`ignored: nested more than ${MAX_DEPTH} folders deep`, `${shown}/`);
            else walk(path, relPath, depth + 1);
            continue;
          }
          if (!name.endsWith('.ts') || name.endsWith('.d.ts') || /\.(test|spec)\.ts$/.test(name)) {
            ignored.note('ignored: only the exercise sources (.ts files, not tests) are graded', shown);
            continue;
          }
          if (!info.isFile()) {
            ignored.note('ignored: not a regular file', shown);
            continue;
          }
          if (info.size > MAX_FILE_BYTES) {
            ignored.note(`ignored: larger than ${MAX_FILE_BYTES / 1024} KB`, shown);
            continue;
          }
          if (count >= MAX_FILES_PER_EXERCISE) {
            ignored.note(`ignored: more than ${MAX_FILES_PER_EXERCISE} files in one exercise`, shown);
            continue;
          }
          if (bytes + info.size > MAX_TOTAL_BYTES) {
            ignored.note(`ignored: the submission's sources add up to more than ${MAX_TOTAL_BYTES / (1024 * 1024)} MB`, shown);
            continue;
          }
          const content = readRegularFile(path);
          if (content === null) {
            ignored.note('ignored: not a regular file', shown);
            continue;
          }
          count++;
          bytes += content.length;
          reads.push({ path: `exercises/${exercise.id}/${relPath}`, text: content.toString('utf8'), shown });
          if (!texts.has(exercise.id)) texts.set(exercise.id, new Map());
          texts.get(exercise.id)!.set(relPath, content.toString('utf8'));
        }
      };
      walk(folder, '', 1);
    }
  }
  // Every file read, transpiled at once (esbuild works on them in parallel).
  await Promise.all(
    reads.map(async ({ path, text, shown }) => {
      const out = await transpile(text, shown);
      submission[path] = out.error ? { code: '', error: out.error } : { code: out.code, map: out.map };
    }),
  );
  for (const exercise of exercises) {
    const files: PlannedExercise['files'] = {};
    for (const file of exercise.files) {
      const source = submission[`exercises/${exercise.id}/${file}`];
      const exports = exportsOf(exercise.id, file);
      files[file] = !source ? { status: 'missing', exports } : source.error ? { status: 'compile-error', error: source.error, exports } : { status: 'ok', exports };
    }
    planned[exercise.id] = { files };
  }
  const untouched = exercises
    .map((e) => e.id)
    .filter((id) => {
      const stub = stubs[id];
      const got = texts.get(id);
      if (!stub || !got || got.size !== Object.keys(stub).length) return false;
      return Object.entries(stub).every(([file, text]) => got.get(file) === text);
    });
  return { submission, untouched, exercises: planned, notes: ignored.lines(), bytes };
}

/** The kit's stubs (`exercises/NN-slug/*.ts`, tests aside), by exercise and file name. */
export function stubSources(root: string, exercises: readonly Exercise[]): Record<string, Record<string, string>> {
  return Object.fromEntries(exercises.map((e) => [e.id, Object.fromEntries(e.files.map((f) => [f, readFileSync(join(root, 'exercises', e.id, f), 'utf8')]))]));
}

/** True when `dir` looks like one submission (it has exercise folders, at the top or in exercises/). */
export function looksLikeSubmission(dir: string): boolean {
  try {
    return readdirSync(submissionRoot(dir)).some((name) => /^[0-9]{2}-[a-z0-9-]+$/.test(name) && statSync(join(submissionRoot(dir), name)).isDirectory());
  } catch {
    return false;
  }
}
