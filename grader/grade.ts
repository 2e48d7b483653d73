/**
 * Grades one submission: prepares its sandbox, runs the kit's public and hidden suites against it
 * with vitest in remote mode, scores the outcomes with the rubric and writes the results.
 *
 *   const report = await gradeSubmission({ submission: 'path/to/student', seed: 'student-42', out: 'grade-output' });
 *
 * The library entry point for batch grading: one call per submission. Vitest runs in this process
 * (its workers are separate), so a batch that wants one submission's crash of the grader itself to
 * stay contained runs `grader/cli.ts` as a child process per submission instead.
 */
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TestModule } from 'vitest/node';
import { feedbackHtml, feedbackMarkdown } from './reports/feedback.ts';
import { exercismResults, gradescopeResults } from './reports/formats.ts';
import type { GradeReport } from './reports/report.ts';
import { writeFileAtomic } from './reports/write.ts';
import { collectOutcomes } from './results.ts';
import { loadRubric } from './rubric.ts';
import { MANIFEST_ENV } from './sandbox/manifest.ts';
import { cleanupWorkDir, prepareSubmission, type GradeLimits, type PrepareOptions, type PreparedSubmission } from './sandbox/prepare.ts';
import { scoreOutcomes } from './score.ts';

/** The kit this grader belongs to. */
export const KIT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

export interface GradeOptions {
  /** The submission folder (laid out like exercises/, or containing exercises/). */
  submission: string;
  /** Student id for the per-student variant cases; default 'reference'. */
  seed?: string;
  /** Output folder; default `grade-output/`. `null` writes nothing. */
  out?: string | null;
  /** Grade only these exercises (ids such as '03-batchnorm'); default all. */
  only?: readonly string[];
  limits?: Partial<GradeLimits>;
  /** The kit's root; default the kit this file belongs to. */
  root?: string;
  /** Receives vitest's own console output (the grader's log); default discarded. */
  log?: (text: string) => void;
}

/** Files written into the output folder. */
export const OUTPUT_FILES = ['results.json', 'results.exercism.json', 'feedback.md', 'feedback.html', 'grade.json'] as const;

function sink(log?: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      log?.(chunk.toString());
      done();
    },
  });
}

const ENV_KEYS = ['GRADLAB_IMPL', MANIFEST_ENV, 'GRADLAB_STUDENT_SEED'] as const;

/**
 * Prepares the submission in a worker thread (TypeScript takes most of a second to load; vitest
 * starts meanwhile). Falls back to this thread where a worker cannot load TypeScript sources.
 */
function prepareInWorker(options: PrepareOptions): Promise<PreparedSubmission> {
  const target = new URL('./sandbox/prepare-worker.ts', import.meta.url).href;
  // The worker registers tsx itself: module hooks of the main thread do not reach workers on Node 20.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(target)}); })`;
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(bootstrap, { eval: true, workerData: options });
    } catch {
      resolve(prepareSubmission(options));
      return;
    }
    let settled = false;
    worker.once('message', (message: { ok: true; value: Omit<PreparedSubmission, 'cleanup'> } | { ok: false; message: string }) => {
      settled = true;
      void worker.terminate();
      if (message.ok) resolve({ ...message.value, cleanup: () => cleanupWorkDir(message.value.workDir) });
      else reject(new Error(message.message));
    });
    worker.once('error', () => {
      if (!settled) {
        settled = true;
        try {
          resolve(prepareSubmission(options));
        } catch (error) {
          reject(error as Error);
        }
      }
    });
  });
}

/** Grades a submission and (unless `out` is null) writes results, feedback and `grade.json`. */
export async function gradeSubmission(options: GradeOptions): Promise<GradeReport> {
  const started = Date.now();
  const root = options.root ?? KIT_ROOT;
  const seed = options.seed ?? 'reference';
  const rubric = loadRubric(root);
  const timings: Record<string, number> = { processStart: -performance.now() };
  const mark = (name: string, since: number): void => {
    timings[name] = Math.round(performance.now() - since);
  };
  const t0 = performance.now();
  const [prepared, { startVitest }] = await Promise.all([
    prepareInWorker({ root, submission: resolve(options.submission), limits: options.limits ?? {} }).then((p) => {
      mark('prepare', t0);
      return p;
    }),
    import('vitest/node').then((v) => {
      mark('importVitest', t0);
      return v;
    }),
  ]);
  const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  const savedExitCode = process.exitCode;
  try {
    const known = prepared.exercises.map((e) => e.id);
    const unknown = (options.only ?? []).filter((id) => !known.includes(id));
    if (unknown.length > 0) throw new Error(`gradeSubmission: 'only' names no exercise of this kit: ${unknown.join(', ')} (known: ${known.join(', ')})`);
    const exercises = prepared.exercises.filter((e) => !options.only || options.only.length === 0 || options.only.includes(e.id));
    const suites = exercises.flatMap((e) => [...e.publicSuites, ...e.hiddenSuites]);

    process.env['GRADLAB_IMPL'] = 'remote';
    process.env[MANIFEST_ENV] = prepared.manifestPath;
    process.env['GRADLAB_STUDENT_SEED'] = seed;
    let modules: TestModule[] = [];
    const errors: string[] = [];
    const t1 = performance.now();
    const vitest = await startVitest(
      'test',
      suites,
      {
        root,
        watch: false,
        reporters: [{}],
        passWithNoTests: true,
        // Threads without per-file isolation cost half the CPU of forks: suites are trusted, and
        // each test file still gets fresh sandboxes (its sessions close after it).
        pool: 'threads',
        isolate: false,
        maxWorkers: 2,
        fileParallelism: true,
      },
      {},
      { stdout: sink(options.log), stderr: sink(options.log) },
    );
    mark('vitest', t1);
    try {
      modules = vitest.state.getTestModules();
      for (const error of vitest.state.getUnhandledErrors()) {
        errors.push(`unhandled error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      }
    } finally {
      await vitest.close();
    }
    const { outcomes, suiteErrors } = collectOutcomes(modules);
    const ran = new Set(modules.map((m) => m.relativeModuleId.replace(/\\/g, '/')));
    for (const suite of suites) if (!ran.has(suite)) errors.push(`${suite}: did not run`);
    for (const e of suiteErrors) errors.push(`${e.suite}: ${e.message}`);
    const score = scoreOutcomes(
      outcomes,
      exercises.map((e) => e.id),
      rubric,
    );
    const report: GradeReport = {
      version: 1,
      status: errors.length > 0 ? 'error' : 'graded',
      submission: options.submission,
      seed,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      score,
      exercises: exercises.map((e) => e.id),
      hiddenExercises: exercises.filter((e) => e.hiddenSuites.length > 0).map((e) => e.id),
      outcomes,
      notes: prepared.notes,
      errors,
      suiteErrors,
      timings,
    };
    const out = options.out === undefined ? join(root, 'grade-output') : options.out;
    const t2 = performance.now();
    if (out !== null) writeReport(report, out, rubric.hiddenVisibility);
    mark('write', t2);
    return report;
  } finally {
    for (const key of ENV_KEYS) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    process.exitCode = savedExitCode;
    prepared.cleanup();
  }
}

/** Writes every output file of a report into `dir`, each atomically. */
export function writeReport(report: GradeReport, dir: string, hiddenVisibility: Parameters<typeof gradescopeResults>[1] = 'visible'): void {
  const markdown = feedbackMarkdown(report);
  const files: Record<(typeof OUTPUT_FILES)[number], string> = {
    'results.json': `${JSON.stringify(gradescopeResults(report, hiddenVisibility), null, 2)}\n`,
    'results.exercism.json': `${JSON.stringify(exercismResults(report), null, 2)}\n`,
    'feedback.md': markdown,
    'feedback.html': feedbackHtml(markdown, `gradlab feedback — ${report.score.points.toFixed(2)} / ${report.score.maxPoints} points`),
    'grade.json': `${JSON.stringify(report, null, 2)}\n`,
  };
  for (const name of OUTPUT_FILES) writeFileAtomic(join(dir, name), files[name]);
}
