/**
 * Grades submissions: prepares each one's sandbox, runs the kit's public and hidden suites against
 * it with vitest in remote mode, scores the outcomes with the rubric and writes the results.
 *
 *   const report = await gradeSubmission({ submission: 'path/to/student', seed: 'student-42', out: 'grade-output' });
 *
 * Batch grading keeps one `Grader` for many submissions: vitest, its workers and TypeScript start
 * once, and each further submission costs only its own transpiling and tests.
 *
 *   const grader = await Grader.start();
 *   for (const s of submissions) await grader.grade({ submission: s.dir, seed: s.student, out: s.out });
 *   await grader.close();
 *
 * Vitest runs in this process (its test workers are threads; the submission runs in separate
 * sandbox processes). A batch that wants the grader itself contained runs `grader/launch.mjs` as
 * a child process per group of submissions instead.
 */
import { availableParallelism } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TestModule, TestSpecification, Vitest } from 'vitest/node';
import { feedbackHtml, feedbackMarkdown } from './reports/feedback.ts';
import { exercismResults, gradescopeResults } from './reports/formats.ts';
import type { GradeReport } from './reports/report.ts';
import { writeFileAtomic } from './reports/write.ts';
import { collectOutcomes } from './results.ts';
import type { GradescopeVisibility, Rubric } from './rubric.ts';
import { MANIFEST_ENV } from './sandbox/manifest.ts';
import { planLanes, SuiteTimes } from './sandbox/plan.ts';
import { cleanupSubmission, cleanupWorkDir, makeWorkDir, type GradeLimits, type PreparedRun, type PreparedSubmission, type RunOptions } from './sandbox/prepare.ts';
import { compiledWorkerDir, compiledWorkerEntry, WORKER_ENTRY, workerModules } from './sandbox/worker-build.ts';
import { scoreOutcomes } from './score.ts';

/** The kit this grader belongs to (set by launch.mjs when this file runs from a compiled copy). */
export const KIT_ROOT = process.env['GRADLAB_KIT_ROOT'] ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** Files written into the output folder. */
export const OUTPUT_FILES = ['results.json', 'results.exercism.json', 'feedback.md', 'feedback.html', 'grade.json'] as const;

export interface GraderOptions {
  /** The kit's root; default the kit this file belongs to. */
  root?: string;
  limits?: Partial<GradeLimits>;
  /**
   * How many lanes grade exercises side by side, each a vitest instance with one test worker
   * (see `start`); default 2 on a machine with two cores or more, else 1. Graders that already
   * share the machine with others (batch grading with several jobs) save CPU with 1.
   */
  lanes?: number;
  /** Receives vitest's own console output (the grader's log); default discarded. */
  log?: (text: string) => void;
}

export interface GradeRequest {
  /** The submission folder (laid out like exercises/, or containing exercises/). */
  submission: string;
  /** Student id for the per-student variant cases; default 'reference'. */
  seed?: string;
  /** Output folder; default `grade-output/` in the kit. `null` writes nothing. */
  out?: string | null;
  /** Grade only these exercises (ids such as '03-batchnorm'); default all. */
  only?: readonly string[];
}

export type GradeOptions = GraderOptions & GradeRequest;

function sink(log?: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      log?.(chunk.toString());
      done();
    },
  });
}

type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

/**
 * The preparation thread (prepare-worker.ts): TypeScript loads there once, while vitest starts
 * here. It runs compiled from the kit cache when a previous run built it (worker-build.ts), else
 * from sources through tsx, which it registers itself: the main thread's module hooks do not reach
 * workers on Node 20.
 */
class Preparer {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  /** Whether this worker runs from TypeScript sources (and should compile itself for next time). */
  readonly fromSources: boolean;

  constructor(root: string) {
    const compiled = compiledWorkerEntry(root);
    this.fromSources = compiled === null;
    if (compiled) {
      this.#worker = new Worker(pathToFileURL(compiled));
    } else {
      const target = pathToFileURL(join(root, WORKER_ENTRY)).href;
      const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(target)}); })`;
      this.#worker = new Worker(bootstrap, { eval: true });
    }
    this.#worker.on('message', (reply: WorkerReply) => {
      const waiting = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.ok) waiting?.resolve(reply.value);
      else waiting?.reject(new Error(reply.message));
    });
    this.#worker.on('error', (error) => {
      for (const waiting of this.#pending.values()) waiting.reject(error);
      this.#pending.clear();
    });
  }

  request<T>(message: object): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, ...message });
    });
  }

  close(): Promise<number> {
    return this.#worker.terminate();
  }
}

const ENV_KEYS = ['GRADLAB_IMPL', MANIFEST_ENV, 'GRADLAB_STUDENT_SEED', 'GRADLAB_REMOTE_PLUGIN'] as const;

/** The remote plugin for vitest.config.ts: the compiled copy when this grader runs from one. */
function remotePluginUrl(root: string): string {
  const compiled = process.env['GRADLAB_COMPILED_GRADER'];
  return pathToFileURL(compiled ? join(compiled, 'grader', 'sandbox', 'remote-plugin.js') : join(root, 'grader', 'sandbox', 'remote-plugin.ts')).href;
}

/** Lanes when the caller does not say: two cores keep two lanes busy (see `start`). */
const DEFAULT_LANES = Math.min(2, availableParallelism());

/** Vitest in remote mode (one instance per lane), grading submissions one after another. */
export class Grader {
  readonly root: string;
  readonly #rubric: Promise<Rubric>;
  readonly #workDir: string;
  readonly #run: Promise<PreparedRun>;
  readonly #preparer: Preparer;
  readonly #vitest: Promise<Vitest[]>;
  readonly #manifestPath: string;
  /** The suites of the submission being graded: each lane's, in the order they run (see `start`). */
  readonly #plan: { laneCount: number; lanes: string[][] };
  readonly #times: SuiteTimes;
  /** Per lane, every test module its vitest instance has reported (see `grade`). */
  readonly #reported: WeakSet<TestModule>[];
  readonly #savedEnv: Record<string, string | undefined>;
  readonly #started: number;
  #count = 0;
  #closed = false;

  private constructor(
    root: string,
    rubric: Promise<Rubric>,
    workDir: string,
    run: Promise<PreparedRun>,
    preparer: Preparer,
    vitest: Promise<Vitest[]>,
    plan: { laneCount: number; lanes: string[][] },
    savedEnv: Record<string, string | undefined>,
  ) {
    this.root = root;
    this.#rubric = rubric;
    this.#workDir = workDir;
    this.#run = run;
    this.#preparer = preparer;
    this.#vitest = vitest;
    this.#manifestPath = join(workDir, 'current-manifest.json');
    this.#plan = plan;
    this.#times = new SuiteTimes(root);
    this.#reported = Array.from({ length: plan.laneCount }, () => new WeakSet<TestModule>());
    this.#savedEnv = savedEnv;
    this.#started = performance.now();
  }

  /**
   * Starts vitest (in remote mode) and the preparation thread. Both keep starting in the
   * background: the first `grade` prepares its submission meanwhile.
   */
  static async start(options: GraderOptions = {}): Promise<Grader> {
    const root = options.root ?? KIT_ROOT;
    const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
    const workDir = makeWorkDir();
    process.env['GRADLAB_IMPL'] = 'remote';
    process.env[MANIFEST_ENV] = join(workDir, 'current-manifest.json');
    process.env['GRADLAB_REMOTE_PLUGIN'] = remotePluginUrl(root);
    // The preparation thread first: it prepares the run (and the first submission) while this
    // thread loads vitest.
    const preparer = new Preparer(root);
    const run = preparer.request<PreparedRun>({ run: { root, limits: options.limits ?? {}, workDir } satisfies RunOptions });
    const rubric = preparer.request<Rubric>({ rubric: root });
    const lanes = Math.max(1, Math.floor(options.lanes ?? DEFAULT_LANES));
    const plan = { laneCount: lanes, lanes: [] as string[][] };
    const vitest = import('vitest/node').then(({ createVitest, BaseSequencer }) => {
      const createLane = async (lane: number): Promise<Vitest> => {
        /** Runs this lane's suites in the order of the plan (vitest's own order is longest first). */
        class PlannedSequencer extends BaseSequencer {
          override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
            const suites = plan.lanes[lane] ?? [];
            const rank = (spec: TestSpecification): number => {
              const at = suites.indexOf(relative(root, spec.moduleId).split(sep).join('/'));
              return at < 0 ? suites.length : at;
            };
            return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b)));
          }
        }
        const instance = await createVitest(
          'test',
          {
            root,
            watch: false,
            reporters: [{}],
            passWithNoTests: true,
            // One test worker per lane, a thread without per-file isolation: the suites are trusted,
            // and the worker starts once and runs its lane's plan in order, so an exercise's two
            // suites share one sandbox process (client.ts). Within a lane, a suite and its sandbox
            // take turns (every call waits for its answer): a second lane keeps the other core busy.
            // Lanes rather than a second worker in one instance, because vitest would hand files
            // to whichever worker is free and split an exercise's suites.
            pool: 'threads',
            isolate: false,
            maxWorkers: 1,
            fileParallelism: false,
            sequence: { sequencer: PlannedSequencer },
            // Transformed suites and solutions kept on disk between runs (node_modules/.experimental-vitest-cache).
            ...(process.env['GRADLAB_FS_CACHE'] === '0' ? {} : { experimental: { fsModuleCache: true } }),
          },
          {},
          { stdout: sink(options.log), stderr: sink(options.log) },
        );
        await instance.init();
        return instance;
      };
      return Promise.all(Array.from({ length: lanes }, (_, lane) => createLane(lane)));
    });
    run.catch(() => {});
    rubric.catch(() => {});
    vitest.catch(() => {});
    return new Grader(root, rubric, workDir, run, preparer, vitest, plan, savedEnv);
  }

  /** Exercises of the kit, in order. */
  async exercises(): Promise<string[]> {
    return (await this.#run).exercises.map((e) => e.id);
  }

  /** Grades one submission and (unless `out` is null) writes results, feedback and `grade.json`. */
  async grade(request: GradeRequest): Promise<GradeReport> {
    if (this.#closed) throw new Error('Grader.grade: the grader is closed');
    const started = Date.now();
    const t0 = performance.now();
    const run = await this.#run;
    const timings: Record<string, number> = {};
    const seed = request.seed ?? 'reference';
    const known = run.exercises.map((e) => e.id);
    const unknown = (request.only ?? []).filter((id) => !known.includes(id));
    if (unknown.length > 0) throw new Error(`Grader.grade: 'only' names no exercise of this kit: ${unknown.join(', ')} (known: ${known.join(', ')})`);
    const exercises = run.exercises.filter((e) => !request.only || request.only.length === 0 || request.only.includes(e.id));
    // Each lane's suites, exercise by exercise, public suite first (see `start`).
    const lanes = planLanes(exercises, this.#plan.laneCount, this.#times);
    const suites = lanes.flat();
    const index = ++this.#count;
    let prepared: PreparedSubmission | undefined;
    // Once staged, the submission's manifest is written (the suites may start: their sandboxes boot
    // and wait for the ready manifest) and its transpiling begins, while vitest may still be
    // starting.
    const staging = this.#preparer.request<PreparedSubmission>({ stage: { submission: resolve(request.submission), seed, index } }).then((staged) => {
      prepared = staged;
      writeFileAtomic(this.#manifestPath, JSON.stringify({ ...staged.manifest, plan: lanes }));
      const finished = this.#preparer.request<PreparedSubmission>({ finish: index }).then(
        (done) => {
          timings['prepare'] = Math.round(performance.now() - t0);
          prepared = done;
          writeFileAtomic(this.#manifestPath, JSON.stringify({ ...done.manifest, plan: lanes }));
        },
        (error: Error) => {
          writeFileAtomic(this.#manifestPath, JSON.stringify({ ...staged.manifest, plan: lanes, ready: true, failed: error.message }));
          throw error;
        },
      );
      finished.catch(() => {});
      return { finished }; // not the promise itself: awaiting staging must not wait for it
    });
    const [{ finished }, vitests] = await Promise.all([
      staging,
      this.#vitest.then((v) => {
        if (index === 1) timings['startVitest'] = Math.round(performance.now() - this.#started);
        return v;
      }),
    ]).catch((error: unknown) => {
      if (prepared) cleanupSubmission(run, prepared);
      throw error;
    });
    if (index === 1) {
      // TypeScript is loaded in the worker now: it compiles the grader's code for the next run
      // (its own, and the main process's when launch.mjs asked for it).
      if (this.#preparer.fromSources) {
        this.#preparer.request({ compileSelf: { root: this.root, dir: compiledWorkerDir(this.root), modules: workerModules(this.root) } }).catch(() => {});
      }
      const build = process.env['GRADLAB_GRADER_BUILD'];
      if (build) this.#preparer.request({ compileSelf: { root: this.root, ...(JSON.parse(build) as { dir: string; modules: string[] }) } }).catch(() => {});
    }
    const savedExitCode = process.exitCode;
    try {
      process.env['GRADLAB_STUDENT_SEED'] = seed;
      this.#plan.lanes = lanes;
      const t1 = performance.now();
      const results = await Promise.all(lanes.map((lane, i) => (lane.length > 0 ? vitests[i]!.runTestFiles(lane.map((s) => join(this.root, s))) : null)));
      timings['tests'] = Math.round(performance.now() - t1);
      await finished;
      // Vitest reports every file an instance has run so far, this submission's and earlier ones':
      // each lane keeps the files it ran now, and never a result it has reported before (a file
      // that did not run this time would otherwise bring back an earlier submission's result).
      const modules: TestModule[] = results.flatMap((r, i) => {
        const reported = this.#reported[i]!;
        const fresh = (r?.testModules ?? []).filter((m) => lanes[i]!.includes(m.relativeModuleId.replace(/\\/g, '/')) && !reported.has(m));
        for (const m of r?.testModules ?? []) reported.add(m);
        return fresh;
      });
      const errors = results.flatMap((r) => r?.unhandledErrors ?? []).map((error) => `unhandled error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      this.#times.record(
        modules.filter((m) => m.state() === 'passed').map((m) => ({ suite: m.relativeModuleId.replace(/\\/g, '/'), ms: m.diagnostic().duration })),
      );
      const { outcomes, suiteErrors } = collectOutcomes(modules);
      const rubric = await this.#rubric;
      const ran = new Set(modules.map((m) => m.relativeModuleId.replace(/\\/g, '/')));
      for (const suite of suites) if (!ran.has(suite)) errors.push(`${suite}: did not run`);
      for (const e of suiteErrors) errors.push(`${e.suite}: ${e.message}`);
      const report: GradeReport = {
        version: 1,
        status: errors.length > 0 ? 'error' : 'graded',
        submission: request.submission,
        seed,
        startedAt: new Date(started).toISOString(),
        durationMs: Date.now() - started,
        score: scoreOutcomes(
          outcomes,
          exercises.map((e) => e.id),
          rubric,
        ),
        exercises: exercises.map((e) => e.id),
        hiddenExercises: exercises.filter((e) => e.hiddenSuites.length > 0).map((e) => e.id),
        outcomes,
        notes: prepared!.notes,
        errors,
        suiteErrors,
        timings,
      };
      const out = request.out === undefined ? join(this.root, 'grade-output') : request.out;
      if (out !== null) writeReport(report, out, rubric.hiddenVisibility);
      return report;
    } finally {
      process.exitCode = savedExitCode;
      cleanupSubmission(run, prepared!);
    }
  }

  /**
   * For a grader being stopped (SIGINT, SIGTERM): kills every sandbox process and removes the
   * run's temp dir, synchronously. Output files already written stay whole (they are written
   * atomically); nothing half-written is left behind.
   */
  abort(): void {
    this.#closed = true;
    cleanupWorkDir(this.#workDir);
    restoreEnv(this.#savedEnv);
  }

  /** Stops vitest and the preparation thread and removes the run's temp dir. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const savedExitCode = process.exitCode;
    try {
      await Promise.all(((await this.#vitest.catch(() => null)) ?? []).map((v) => v.close()));
      await this.#preparer.close();
    } finally {
      cleanupWorkDir(this.#workDir);
      restoreEnv(this.#savedEnv);
      process.exitCode = savedExitCode;
    }
  }
}

function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

/** Grades one submission with a grader of its own. */
export async function gradeSubmission(options: GradeOptions): Promise<GradeReport> {
  const grader = await Grader.start(options);
  try {
    return await grader.grade(options);
  } finally {
    await grader.close();
  }
}

/** Writes every output file of a report into `dir`, each atomically. */
export function writeReport(report: GradeReport, dir: string, hiddenVisibility: GradescopeVisibility = 'visible'): void {
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
