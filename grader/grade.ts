/**
 * Grades submissions (runs in the grading process). For each submission:
 *
 *   1. stage.ts reads and transpiles its files: nothing of it runs here;
 *   2. one immutable plan (plan.ts) — files, limits, the sandbox's command line — is handed to the
 *      test workers with vitest's `provide`;
 *   3. vitest runs the kit's public and hidden suites; their imports of exercise files are proxies
 *      (remote-plugin.ts) into one sandbox process per submission (test-worker/sandbox.ts), where
 *      each exercise runs in a V8 isolate (sandbox-process/host.ts);
 *   4. results.ts turns vitest's results into outcomes, score.ts scores them with the rubric, and
 *      the reports are written.
 *
 * A `Grader` keeps vitest and its test worker alive, so a batch pays for starting them once:
 *
 *   const grader = await Grader.start();
 *   for (const s of submissions) await grader.grade({ submission: s.dir, seed: s.student, out: s.out });
 *   await grader.close();
 */
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { TestModule, TestSpecification, Vitest } from 'vitest/node';
import { buildKit, disposeKitBuild } from './build.ts';
import { discoverExercises, referenceExports, type Exercise, type ExportKind } from './discover.ts';
import { sandboxCommand } from './layers.ts';
import { PLAN_KEY, type Layers, type Plan } from './plan.ts';
import { remotePlugin } from './remote-plugin.ts';
import { feedbackHtml, feedbackMarkdown } from './reports/feedback.ts';
import { exercismResults, gradescopeResults } from './reports/formats.ts';
import type { GradeReport } from './reports/report.ts';
import { testCodeFinder } from './reports/test-code.ts';
import { writeFileAtomic } from './reports/write.ts';
import { collectOutcomes, type TestOutcome } from './results.ts';
import { loadRubric, type GradescopeVisibility, type Rubric } from './rubric.ts';
import { scoreOutcomes } from './score.ts';
import { stageSubmission, stubSources } from './stage.ts';
import { SupervisedSandbox } from './supervisor.ts';
import { endPersistentThread, persistentThreadPool } from './test-worker-thread.ts';

/** The kit this grader belongs to. */
export const KIT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/**
 * Files written into the output folder, besides Exercism's results: `exercism/<NN-slug>/results.json`,
 * one per exercise, as Exercism's test runner writes them. `grade.json` is the instructor's: it
 * keeps the assertion messages of hidden tests, for appeals.
 */
export const OUTPUT_FILES = ['results.json', 'feedback.md', 'feedback.html', 'grade.json'] as const;

/** What a student receives of the output folder (everything but grade.json), for the given exercises. */
export function studentFiles(exercises: readonly string[]): string[] {
  return ['results.json', 'feedback.md', 'feedback.html', ...exercises.map((e) => `exercism/${e}/results.json`)];
}

/** Limits of one submission's grading; every field has a default. */
export interface GradeLimits {
  /** CPU time one call into the submission may use, ms. */
  callMs: number;
  /** CPU time loading one exercise's modules (their top-level code) may use, ms. */
  loadMs: number;
  /** Memory of one exercise's isolate (heap and buffers), MB. */
  memoryMb: number;
  /** What one call may print, bytes. */
  outputBytes: number;
  /** Largest result one call may return, bytes. */
  resultBytes: number;
  /** CPU time the whole submission may use, seconds (the kernel's limit on the sandbox process). */
  totalCpuSeconds: number;
  /** Wall-clock time the whole submission's sandbox may live, seconds. */
  totalWallSeconds: number;
}

export const DEFAULT_LIMITS: GradeLimits = {
  callMs: 2000,
  loadMs: 5000,
  memoryMb: 512,
  outputBytes: 1024 * 1024,
  resultBytes: 64 * 1024 * 1024,
  totalCpuSeconds: 120,
  totalWallSeconds: 600,
};

export interface GraderOptions {
  /** The kit's root; default the kit this file belongs to. */
  root?: string;
  limits?: Partial<GradeLimits>;
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
  /** Notes about the submission from an earlier step (intake), shown with the grader's own. */
  notes?: readonly string[];
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

/** Vitest, kept alive, grading submissions one after another. */
export class Grader {
  readonly root: string;
  readonly limits: GradeLimits;
  readonly layers: Layers;
  readonly #vitest: Vitest;
  readonly #exercises: Exercise[];
  readonly #exports: Map<string, { name: string; kind: ExportKind }[]>;
  readonly #rubric: Rubric;
  readonly #command: string[];
  readonly #sources: Pick<Plan['sandbox'], 'bridge' | 'kit'>;
  readonly #reported = new WeakSet<TestModule>();
  /** The kit's stubs, to recognise exercises a submission left untouched. */
  readonly #stubs: Record<string, Record<string, string>>;
  /** Each exercise's tests, as the last complete run of its suites listed them. */
  readonly #testLists = new Map<string, TestOutcome[]>();
  #count = 0;
  #closed = false;

  private constructor(init: {
    root: string;
    limits: GradeLimits;
    layers: Layers;
    vitest: Vitest;
    exercises: Exercise[];
    exports: Map<string, { name: string; kind: ExportKind }[]>;
    rubric: Rubric;
    command: string[];
    sources: Pick<Plan['sandbox'], 'bridge' | 'kit'>;
  }) {
    this.root = init.root;
    this.limits = init.limits;
    this.layers = init.layers;
    this.#vitest = init.vitest;
    this.#exercises = init.exercises;
    this.#exports = init.exports;
    this.#rubric = init.rubric;
    this.#command = init.command;
    this.#sources = init.sources;
    this.#stubs = stubSources(init.root, init.exercises);
  }

  /** Builds the sandbox's parts, probes the OS layers and starts vitest. */
  static async start(options: GraderOptions = {}): Promise<Grader> {
    const root = options.root ?? KIT_ROOT;
    const limits: GradeLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const exercises = discoverExercises(root);
    const exports = new Map<string, { name: string; kind: ExportKind }[]>();
    for (const exercise of exercises) {
      for (const file of exercise.files) exports.set(`${exercise.id}/${file}`, await referenceExports(root, exercise.id, file));
    }
    const build = await buildKit(root);
    const { command, layers } = sandboxCommand(root, build.hostFile, {
      totalCpuSeconds: limits.totalCpuSeconds,
      hostHeapMb: Math.max(256, Math.ceil(limits.resultBytes / (1024 * 1024)) * 4),
    });
    const { createVitest, BaseSequencer } = await import('vitest/node');
    /** Exercise by exercise, the public suite before the hidden one. */
    class ExerciseOrder extends BaseSequencer {
      override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        const key = (spec: TestSpecification): string => {
          const m = /(?:^|\/)(grader\/exercises|exercises)\/([0-9]{2}-[a-z0-9-]+)\//.exec(spec.moduleId);
          return m ? `${m[2]}\0${m[1] === 'exercises' ? 0 : 1}\0${spec.moduleId}` : `~${spec.moduleId}`;
        };
        return Promise.resolve([...files].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
      }
    }
    const vitest = await createVitest(
      'test',
      {
        root,
        config: false,
        watch: false,
        reporters: [{}],
        passWithNoTests: true,
        include: ['exercises/**/*.test.ts', 'grader/exercises/**/*.test.ts'],
        setupFiles: [join(root, 'lib', 'testing', 'setup.ts'), join(root, 'grader', 'test-worker', 'setup.ts')],
        // One test worker, a thread kept alive from one submission to the next
        // (test-worker-thread.ts). The suites are trusted code; isolation is the sandbox's job.
        pool: persistentThreadPool,
        isolate: false,
        maxWorkers: 1,
        fileParallelism: false,
        sequence: { sequencer: ExerciseOrder },
        // The sandbox enforces CPU limits per call; vitest's clock is wall time, which a busy
        // machine stretches, so it is only a distant backstop.
        testTimeout: 600_000,
        hookTimeout: 600_000,
      },
      { plugins: [remotePlugin(root, (exercise, file) => exports.get(`${exercise}/${file}`) ?? null)] },
      { stdout: sink(options.log), stderr: sink(options.log) },
    );
    await vitest.init();
    return new Grader({ root, limits, layers, vitest, exercises, exports, rubric: loadRubric(root), command, sources: { bridge: build.bridge, kit: build.kit } });
  }

  /** Exercises of the kit, in order. */
  exercises(): string[] {
    return this.#exercises.map((e) => e.id);
  }

  /** Grades one submission and (unless `out` is null) writes results, feedback and `grade.json`. */
  async grade(request: GradeRequest): Promise<GradeReport> {
    if (this.#closed) throw new Error('Grader.grade: the grader is closed');
    const started = Date.now();
    const t0 = performance.now();
    const seed = request.seed ?? 'reference';
    const known = this.#exercises.map((e) => e.id);
    const unknown = (request.only ?? []).filter((id) => !known.includes(id));
    if (unknown.length > 0) throw new Error(`Grader.grade: 'only' names no exercise of this kit: ${unknown.join(', ')} (known: ${known.join(', ')})`);
    const exercises = this.#exercises.filter((e) => !request.only || request.only.length === 0 || request.only.includes(e.id));
    const staged = await stageSubmission(resolve(request.submission), exercises, (exercise, file) => this.#exports.get(`${exercise}/${file}`) ?? [], this.#stubs);
    // An exercise whose files are the kit's stubs, byte for byte, fails every test with "not
    // implemented yet" (the kit's own tests prove it of the stubs): its tests are not run again
    // once a run has shown what they are.
    const skipped = new Set(staged.untouched.filter((id) => this.#testLists.has(id)));
    const running = exercises.filter((e) => !skipped.has(e.id));
    const timings: Record<string, number> = { stage: Math.round(performance.now() - t0) };
    const suites = running.flatMap((e) => [...e.publicSuites, ...e.hiddenSuites]);
    const savedExitCode = process.exitCode;
    try {
      let modules: TestModule[] = [];
      const errors: string[] = [];
      if (suites.length > 0) {
        // The sandbox process starts now, and boots while vitest starts its test worker.
        const sandbox = new SupervisedSandbox(this.#command, this.limits.totalWallSeconds);
        const plan: Plan = {
          id: `${process.pid}-${++this.#count}`,
          seed,
          root: this.root,
          exercises: staged.exercises,
          sandbox: {
            ...this.#sources,
            fds: sandbox.fds,
            layers: this.layers,
            limits: {
              callCpuMs: this.limits.callMs,
              loadCpuMs: this.limits.loadMs,
              memoryMb: this.limits.memoryMb,
              outputBytes: this.limits.outputBytes,
              resultBytes: this.limits.resultBytes,
            },
            submission: staged.submission,
          },
        };
        this.#vitest.provide(PLAN_KEY, plan);
        const t1 = performance.now();
        const result = await this.#vitest.runTestFiles(suites.map((s) => join(this.root, s))).finally(() => sandbox.stop());
        timings['tests'] = Math.round(performance.now() - t1);
        timings['sandboxCpu'] = Math.round(sandbox.cpuSeconds() * 1000);
        // Vitest reports every file it has run so far: keep this run's, never one reported before.
        modules = result.testModules.filter((m) => suites.includes(m.relativeModuleId.replace(/\\/g, '/')) && !this.#reported.has(m));
        for (const m of result.testModules) this.#reported.add(m);
        errors.push(...result.unhandledErrors.map((error) => `unhandled error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`));
      }
      const collected = collectOutcomes(modules);
      const { suiteErrors } = collected;
      const ran = new Set(modules.map((m) => m.relativeModuleId.replace(/\\/g, '/')));
      for (const suite of suites) if (!ran.has(suite)) errors.push(`${suite}: did not run`);
      for (const e of suiteErrors) errors.push(`${e.suite}: ${e.message}`);
      for (const e of running) {
        const clean = [...e.publicSuites, ...e.hiddenSuites].every((suite) => ran.has(suite) && !suiteErrors.some((x) => x.suite === suite));
        if (clean) this.#testLists.set(e.id, collected.outcomes.filter((o) => o.exercise === e.id));
      }
      const outcomes = exercises.flatMap((e) => (skipped.has(e.id) ? notImplemented(this.#testLists.get(e.id)!) : collected.outcomes.filter((o) => o.exercise === e.id)));
      const notes = [...(request.notes ?? []), ...staged.notes];
      for (const id of skipped) notes.push(`${id}: your files are the distributed stubs, unchanged: every one of its ${this.#testLists.get(id)!.length} tests fails with "not implemented yet" (not run again)`);
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
          this.#rubric,
        ),
        exercises: exercises.map((e) => e.id),
        hiddenExercises: exercises.filter((e) => e.hiddenSuites.length > 0).map((e) => e.id),
        outcomes,
        notes,
        errors,
        suiteErrors,
        timings,
        layers: this.layers,
      };
      const out = request.out === undefined ? join(this.root, 'grade-output') : request.out;
      if (out !== null) writeReport(report, out, this.#rubric.hiddenVisibility, this.root);
      return report;
    } finally {
      process.exitCode = savedExitCode;
    }
  }

  /**
   * For a grader being stopped (SIGINT, SIGTERM), synchronously: removes the sandbox's program.
   * Sandbox processes end by themselves when this process exits (their request FIFO closes), or
   * at their wall-clock limit. Output files already written stay whole (they are atomic).
   */
  abort(): void {
    this.#closed = true;
    disposeKitBuild();
  }

  /** Stops vitest (and with its worker, the last submission's sandbox process). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const savedExitCode = process.exitCode;
    try {
      await this.#vitest.close();
      await endPersistentThread();
    } finally {
      disposeKitBuild();
      process.exitCode = savedExitCode;
    }
  }
}

/** The outcomes of an exercise's tests when its files are the stubs: each fails, "not implemented yet". */
function notImplemented(tests: readonly TestOutcome[]): TestOutcome[] {
  return tests.map((o) => {
    const { output: _output, ...rest } = o;
    const summary = `not implemented yet: ${o.fn || 'this function'}`;
    return { ...rest, status: 'failed', durationMs: 0, called: [], diagnoses: [], failure: { category: 'not-implemented', summary } };
  });
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
export function writeReport(report: GradeReport, dir: string, hiddenVisibility: GradescopeVisibility = 'visible', root: string = KIT_ROOT): void {
  const markdown = feedbackMarkdown(report);
  const files: Record<(typeof OUTPUT_FILES)[number], string> = {
    'results.json': `${JSON.stringify(gradescopeResults(report, hiddenVisibility), null, 2)}\n`,
    'feedback.md': markdown,
    'feedback.html': feedbackHtml(markdown, `gradlab feedback — ${report.score.points.toFixed(2)} / ${report.score.maxPoints} points`),
    'grade.json': `${JSON.stringify(report, null, 2)}\n`,
  };
  const testCode = testCodeFinder(root);
  for (const exercise of report.exercises) {
    writeFileAtomic(join(dir, 'exercism', exercise, 'results.json'), `${JSON.stringify(exercismResults(report, exercise, testCode), null, 2)}\n`);
  }
  for (const name of OUTPUT_FILES) writeFileAtomic(join(dir, name), files[name]);
}
