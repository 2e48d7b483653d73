/**
 * Proves the public suites catch every typical mistake in `grader/exercises/NN-slug/mistakes.ts`: each
 * mistake is applied to a copy of the solutions, the exercise's public suite is copied next to it,
 * and that suite must fail at least one test. All copies run in one vitest process.
 *
 *   npm run mistakes                 every exercise
 *   npm run mistakes -- 03-batchnorm one exercise (several names allowed)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyMistake, type Mistake } from '../grader/exercises/mistake.ts';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const EXERCISES_DIR = join(ROOT, 'grader', 'exercises');
/**
 * Scratch space for the mistaken copies: a fresh dir per run under the OS temp dir, outside the
 * repository so `npm test` never collects them, and never shared, so two runs at once (two clones,
 * two CI jobs on one machine) cannot delete each other's copies.
 */
export function makeWorkDir(): string {
  return mkdtempSync(join(tmpdir(), 'gradlab-mistakes-'));
}

export interface ExerciseMistake extends Mistake {
  exercise: string;
}

/** Every mistake of the given exercises (all when `only` is empty). */
export async function loadMistakes(only: readonly string[] = []): Promise<ExerciseMistake[]> {
  const exercises = readdirSync(EXERCISES_DIR)
    .filter((f) => /^[0-9]{2}-[a-z0-9-]+$/.test(f) && existsSync(join(EXERCISES_DIR, f, 'mistakes.ts')))
    .sort();
  const all: ExerciseMistake[] = [];
  for (const exercise of exercises) {
    if (only.length > 0 && !only.includes(exercise)) continue;
    const mod = (await import(pathToFileURL(join(EXERCISES_DIR, exercise, 'mistakes.ts')).href)) as { mistakes?: Mistake[] };
    if (!Array.isArray(mod.mistakes)) throw new Error(`grader/exercises/${exercise}/mistakes.ts must export 'mistakes'`);
    all.push(...mod.mistakes.map((m) => ({ ...m, exercise })));
  }
  const unknown = only.filter((e) => !all.some((m) => m.exercise === e));
  if (unknown.length > 0) throw new Error(`no mistakes defined for ${unknown.join(', ')}`);
  return all;
}

/** Applies a mistake's edits to the solution source (see grader/exercises/mistake.ts). */
export function applyMistakeTo(source: string, m: ExerciseMistake): string {
  return applyMistake(source, m.replace, `mistake ${m.exercise}/${m.id} in solutions/${m.exercise}/${m.file}`);
}

/**
 * Writes a full copy of `solutions/` with the mistake applied, plus the exercise's public suite
 * beside the mistaken file; imports of `lib/` are made absolute so the copy works from anywhere.
 * Returns the folder (laid out like `exercises/`).
 */
export function materialize(m: ExerciseMistake, workDir: string): string {
  const dir = join(workDir, `${m.exercise}--${m.id}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const solutions = join(ROOT, 'solutions');
  for (const ex of readdirSync(solutions).filter((d) => /^[0-9]{2}-/.test(d))) {
    cpSync(join(solutions, ex), join(dir, ex), { recursive: true });
  }
  const file = join(dir, m.exercise, m.file);
  if (!existsSync(file)) throw new Error(`mistake ${m.exercise}/${m.id}: solutions/${m.exercise}/${m.file} does not exist`);
  writeFileSync(file, applyMistakeTo(readFileSync(file, 'utf8'), m));
  for (const f of readdirSync(join(ROOT, 'exercises', m.exercise)).filter((n) => n.endsWith('.test.ts'))) {
    cpSync(join(ROOT, 'exercises', m.exercise, f), join(dir, m.exercise, f));
  }
  const libUrl = `${join(ROOT, 'lib')}/`;
  for (const ex of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, ex)).filter((n) => n.endsWith('.ts'))) {
      const p = join(dir, ex, f);
      writeFileSync(p, readFileSync(p, 'utf8').replaceAll("'../../lib/", `'${libUrl}`));
    }
  }
  return dir;
}

export interface MistakeVerdict {
  exercise: string;
  id: string;
  /** Titles of the public tests that failed against the mistaken implementation. */
  failed: string[];
  passed: number;
}

/**
 * Runs the public suites against every mistake; one vitest process for all of them. The copies go
 * to `workDir` (a fresh temp dir by default, removed afterwards unless `keep`). A mistake whose
 * suite ran no test at all is an error of this harness, never a verdict.
 */
export function runMistakes(mistakes: readonly ExerciseMistake[], options: { workDir?: string; keep?: boolean } = {}): MistakeVerdict[] {
  const workDir = options.workDir ?? makeWorkDir();
  try {
    return runIn(workDir, mistakes);
  } finally {
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

function runIn(workDir: string, mistakes: readonly ExerciseMistake[]): MistakeVerdict[] {
  const plan = mistakes.map((m) => ({ exercise: m.exercise, id: m.id, dir: materialize(m, workDir) }));
  const planFile = join(workDir, 'plan.json');
  const resultFile = join(workDir, 'results.json');
  writeFileSync(planFile, JSON.stringify(plan));
  rmSync(resultFile, { force: true });
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(ROOT, 'tools', 'mistakes.config.ts')],
    { cwd: ROOT, env: { ...process.env, GRADLAB_MISTAKES_PLAN: planFile, GRADLAB_MISTAKES_RESULTS: resultFile }, encoding: 'utf8' },
  );
  if (!existsSync(resultFile)) {
    throw new Error(`the mistakes run produced no results (exit ${run.status}):\n${run.stderr.slice(-3000)}${run.stdout.slice(-3000)}`);
  }
  const verdicts = JSON.parse(readFileSync(resultFile, 'utf8')) as MistakeVerdict[];
  const empty = verdicts.filter((v) => v.passed === 0 && v.failed.length === 0).map((v) => `${v.exercise}/${v.id}`);
  if (empty.length > 0) {
    throw new Error(`the mistakes run ran no tests for ${empty.join(', ')} (exit ${run.status}):\n${run.stderr.slice(-3000)}${run.stdout.slice(-3000)}`);
  }
  return verdicts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mistakes = await loadMistakes(process.argv.slice(2));
  const workDir = makeWorkDir();
  const verdicts = runMistakes(mistakes, { workDir, keep: true });
  let missed = 0;
  for (const v of verdicts) {
    const caught = v.failed.length > 0;
    if (!caught) missed++;
    console.log(`${caught ? 'caught' : 'MISSED'}  ${v.exercise}/${v.id}  ${caught ? `(${v.failed.length} failing, e.g. "${v.failed[0]}")` : `(all ${v.passed} tests pass)`}`);
  }
  console.log(`\n${verdicts.length - missed} of ${verdicts.length} mistakes caught by the public tests (${workDir} holds the copies)`);
  process.exit(missed === 0 && verdicts.length === mistakes.length ? 0 : 1);
}
