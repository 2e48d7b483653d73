/**
 * The fairness sweep: does every correct implementation get full marks for every student seed,
 * and does every typical mistake lose marks for every seed?
 *
 *   npm run fairness -- --seeds 1000            the full sweep
 *   npm run fairness -- --seeds 50 --only 04-groupnorm
 *   npm run fairness -- --seeds 200 --no-suites skip the two vitest runs (seed-independent part)
 *   npm run fairness -- --seeds 1000 --jobs 4   seeds dealt to 4 processes (default: 2, or 1 on one core)
 *   npm run fairness -- --public-draws 1000     the public gradient checks on fresh draws for that many seeds (default 200)
 *
 * Correct implementations: the reference (solutions/), grader/tests/independent/ and every port
 * in grader/tests/independent-ports/. Checks come in two kinds:
 *   - seed-independent: the public suites and the hidden suites' fixture-driven and fixed tests.
 *     Their inputs do not depend on the student, so one vitest run (one project per
 *     implementation, tools/fairness.config.ts) decides them for every seed at once; for the
 *     mistakes, tools/mistakes.ts's run of the public suites does.
 *   - seed-dependent: every hidden check whose inputs come from the student's seed, listed as pure
 *     functions of (implementation, seed) in grader/exercises/NN-slug/variants.ts. These run here,
 *     in-process, for every seed, against every correct implementation and every mistake.
 * An unfair failure is any failed check of a correct implementation. A mistake is caught for a
 * seed when a seed-independent test catches it or one of that seed's variant checks does.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNotImplementedError } from '../lib/errors.ts';
import { observeGradientChecks } from '../lib/testing/checks/common.ts';
import { observeCloseness } from '../lib/testing/matchers.ts';
import type { VariantCheck } from '../grader/exercises/variants.ts';
import { applyMistakeTo, loadMistakes, runMistakes, type ExerciseMistake } from './mistakes.ts';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const EXERCISE_DIR = /^[0-9]{2}-[a-z0-9-]+$/;

/** Seeds that once failed a correct implementation: always part of the sweep. */
export const REGRESSION_SEEDS = ['reference', 'mut-04-groups-strided', 'mut-04-groupnorm'];

/** `n` student seeds: the regression seeds, then `seed-0001`, `seed-0002`, … */
export function seedsFor(n: number): string[] {
  const seeds = REGRESSION_SEEDS.slice(0, n);
  for (let i = 1; seeds.length < n; i++) seeds.push(`seed-${String(i).padStart(4, '0')}`);
  return seeds;
}

export interface Implementation {
  name: string;
  /** A folder laid out like exercises/. */
  dir: string;
}

/** The reference, the independent submission and every port. */
export function correctImplementations(): Implementation[] {
  const ports = join(ROOT, 'grader', 'tests', 'independent-ports');
  return [
    { name: 'reference', dir: join(ROOT, 'solutions') },
    { name: 'independent', dir: join(ROOT, 'grader', 'tests', 'independent') },
    ...readdirSync(ports)
      .filter((d) => statSync(join(ports, d)).isDirectory() && readdirSync(join(ports, d)).some((f) => EXERCISE_DIR.test(f)))
      .sort()
      .map((d) => ({ name: `port:${d}`, dir: join(ports, d) })),
  ];
}

/** Exercises and the implementation file each one's suites import (`03-batchnorm` → `batchnorm.ts`). */
export function exerciseFiles(only: readonly string[] = []): Map<string, string> {
  const files = new Map<string, string>();
  for (const ex of readdirSync(join(ROOT, 'exercises')).filter((d) => EXERCISE_DIR.test(d)).sort()) {
    if (only.length > 0 && !only.includes(ex)) continue;
    const file = readdirSync(join(ROOT, 'exercises', ex)).find((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    if (file) files.set(ex, file);
  }
  return files;
}

/**
 * Copies one exercise folder of `dir` to `to`, with imports of the kit's lib/ made absolute, so
 * the copy loads in-process from anywhere (a folder of a submission imports `../../lib/…` as if
 * it stood in exercises/). `edit` changes one file's source on the way (a mistake).
 */
function copyExercise(from: string, to: string, edit?: { file: string; apply: (source: string) => string }): void {
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
  const lib = `${join(ROOT, 'lib')}/`;
  for (const f of readdirSync(to).filter((n) => n.endsWith('.ts'))) {
    const path = join(to, f);
    let source = readFileSync(path, 'utf8');
    if (edit && f === edit.file) source = edit.apply(source);
    writeFileSync(path, source.replaceAll("'../../lib/", `'${lib}`));
  }
}

/**
 * The variant checks of each exercise, from grader/exercises/NN-slug/variants.ts: the hidden
 * suite's (`variantChecks`), then the sweep's own (`sweepChecks`: the public gradient checks on
 * inputs drawn per seed, which show the public bounds hold for any draw, not only the fixture's).
 */
export async function loadVariantChecks(exercises: Iterable<string>): Promise<Map<string, { hidden: VariantCheck<unknown>[]; sweep: VariantCheck<unknown>[] }>> {
  const checks = new Map<string, { hidden: VariantCheck<unknown>[]; sweep: VariantCheck<unknown>[] }>();
  for (const ex of exercises) {
    const path = join(ROOT, 'grader', 'exercises', ex, 'variants.ts');
    if (!existsSync(path)) continue;
    const mod = (await import(path)) as { variantChecks?: VariantCheck<unknown>[]; sweepChecks?: VariantCheck<unknown>[] };
    if (!Array.isArray(mod.variantChecks)) throw new Error(`grader/exercises/${ex}/variants.ts must export 'variantChecks'`);
    checks.set(ex, { hidden: mod.variantChecks, sweep: mod.sweepChecks ?? [] });
  }
  return checks;
}

export interface Failure {
  implementation: string;
  exercise: string;
  check: string;
  seed: string;
  message: string;
}

export interface MistakeRate {
  exercise: string;
  id: string;
  /** Seeds for which at least one variant check failed. */
  caughtByVariants: number;
  /** Caught by the seed-independent tests (public suites), when that part ran; null otherwise. */
  caughtBySuites: boolean | null;
}

export interface GradientFigure {
  /** `exercise › check id`. */
  check: string;
  worst: number;
  bound: number;
  runs: number;
}

export interface SweepResult {
  seeds: string[];
  implementations: string[];
  exercises: string[];
  /** Variant checks run against correct implementations (checks × seeds × implementations). */
  checksRun: number;
  failures: Failure[];
  mistakes: MistakeRate[];
  /** The largest relative error each gradient check saw on a correct implementation, against its bound. */
  gradients: GradientFigure[];
  /** Per check, the largest share of its value tolerance a correct implementation used (1 = at the bound). */
  closeness: { check: string; worst: number; runs: number }[];
  /** Milliseconds spent per exercise on correct implementations and on mistakes. */
  milliseconds: Record<string, { correct: number; mistakes: number }>;
  seconds: number;
}

/** A folder for this run's copies, with a package.json that makes its .ts files ES modules. */
export function makeWorkDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-fairness-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  return dir;
}

async function importModule(path: string): Promise<unknown> {
  return import(path);
}

/**
 * The in-process part: every variant check, for every seed, against every correct implementation
 * (unfair failures and gradient figures) and every mistake (catch rates).
 */
export async function sweepVariants(options: {
  seeds: readonly string[];
  only?: readonly string[];
  implementations?: readonly Implementation[];
  mistakes?: readonly ExerciseMistake[];
  workDir: string;
  /**
   * The seeds for which the public gradient checks on fresh draws (`sweepChecks`) run too (all
   * when omitted): each evaluates every implementation's own forward pass a few hundred times, so
   * the CLI runs them for the first few hundred seeds only.
   */
  publicDraws?: ReadonlySet<string>;
  onProgress?: (done: number, total: number) => void;
}): Promise<Omit<SweepResult, 'seconds'>> {
  const files = exerciseFiles(options.only);
  const checks = await loadVariantChecks(files.keys());
  const implementations = options.implementations ?? correctImplementations();
  const failures: Failure[] = [];
  const gradients = new Map<string, GradientFigure>();
  // The check that is running on a correct implementation ('' while a mistake runs).
  let current = '';
  observeGradientChecks((_what, rel, bound) => {
    if (current === '') return;
    const g = gradients.get(current) ?? { check: current, worst: 0, bound, runs: 0 };
    g.worst = Math.max(g.worst, rel);
    g.runs++;
    gradients.set(current, g);
  });
  const closeness = new Map<string, { check: string; worst: number; runs: number }>();
  observeCloseness((_what, share) => {
    if (current === '') return;
    const c = closeness.get(current) ?? { check: current, worst: 0, runs: 0 };
    c.worst = Math.max(c.worst, share);
    c.runs++;
    closeness.set(current, c);
  });
  let checksRun = 0;
  const units: { implementation: string; exercise: string; mod: unknown }[] = [];
  for (const impl of implementations) {
    for (const [ex, file] of files) {
      if (!existsSync(join(impl.dir, ex, file))) continue;
      const path = impl.name === 'reference' ? join(impl.dir, ex, file) : join(options.workDir, 'implementations', impl.name.replace(':', '-'), ex, file);
      if (impl.name !== 'reference') copyExercise(join(impl.dir, ex), join(options.workDir, 'implementations', impl.name.replace(':', '-'), ex));
      units.push({ implementation: impl.name, exercise: ex, mod: await importModule(path) });
    }
  }
  // A mistake runs the checks of its own function first: most are caught by the first one.
  const mistakeUnits: { mistake: ExerciseMistake; mod: unknown; checks: VariantCheck<unknown>[] }[] = [];
  for (const m of options.mistakes ?? []) {
    if (!files.has(m.exercise)) continue;
    const dir = join(options.workDir, 'mistakes', `${m.exercise}--${m.id}`, m.exercise);
    copyExercise(join(ROOT, 'solutions', m.exercise), dir, { file: m.file, apply: (s) => applyMistakeTo(s, m) });
    const ordered = [...(checks.get(m.exercise)?.hidden ?? [])].sort((a, b) => Number(b.fn === m.fn) - Number(a.fn === m.fn));
    mistakeUnits.push({ mistake: m, mod: await importModule(join(dir, files.get(m.exercise)!)), checks: ordered });
  }
  const caught = new Map(mistakeUnits.map((u) => [`${u.mistake.exercise}/${u.mistake.id}`, 0]));
  const milliseconds: Record<string, { correct: number; mistakes: number }> = Object.fromEntries([...files.keys()].map((ex) => [ex, { correct: 0, mistakes: 0 }]));
  const total = options.seeds.length;
  for (const [s, seed] of options.seeds.entries()) {
    const withPublic = options.publicDraws === undefined || options.publicDraws.has(seed);
    for (const unit of units) {
      const t0 = performance.now();
      const own = checks.get(unit.exercise);
      for (const check of [...(own?.hidden ?? []), ...(withPublic ? (own?.sweep ?? []) : [])]) {
        current = `${unit.exercise} › ${check.id} (${check.fn})`;
        checksRun++;
        try {
          check.run(unit.mod, seed);
        } catch (error) {
          const message = isNotImplementedError(error) ? 'not implemented' : (error as Error).message ?? String(error);
          failures.push({ implementation: unit.implementation, exercise: unit.exercise, check: `${check.fn} › ${check.id}`, seed, message: message.split('\n').slice(0, 4).join('\n') });
        }
      }
      milliseconds[unit.exercise]!.correct += performance.now() - t0;
    }
    current = '';
    for (const { mistake, mod, checks: ordered } of mistakeUnits) {
      const t0 = performance.now();
      for (const check of ordered) {
        let failed = false;
        try {
          check.run(mod, seed);
        } catch {
          failed = true;
        }
        if (failed) {
          const key = `${mistake.exercise}/${mistake.id}`;
          caught.set(key, caught.get(key)! + 1);
          break;
        }
      }
      milliseconds[mistake.exercise]!.mistakes += performance.now() - t0;
    }
    options.onProgress?.(s + 1, total);
  }
  observeGradientChecks(null);
  observeCloseness(null);
  return {
    seeds: [...options.seeds],
    implementations: implementations.map((i) => i.name),
    exercises: [...files.keys()],
    checksRun,
    failures,
    mistakes: mistakeUnits.map(({ mistake }) => ({ exercise: mistake.exercise, id: mistake.id, caughtByVariants: caught.get(`${mistake.exercise}/${mistake.id}`)!, caughtBySuites: null })),
    gradients: [...gradients.values()].sort((a, b) => b.worst / b.bound - a.worst / a.bound),
    closeness: [...closeness.values()].sort((a, b) => b.worst - a.worst),
    milliseconds,
  };
}

export interface SuiteRun {
  name: string;
  passed: number;
  failed: { test: string; message: string }[];
}

/**
 * The seed-independent part for correct implementations: every public and hidden suite, once per
 * implementation, in one vitest process (tools/fairness.config.ts).
 */
export function runSuites(implementations: readonly Implementation[], only: readonly string[], workDir: string): SuiteRun[] {
  const files = exerciseFiles(only);
  // An implementation of none of the chosen exercises (a port of 01-06 when only 07-10 run) has nothing to run.
  const plan = implementations
    .map((impl) => ({ name: impl.name, dir: impl.dir, exercises: [...files.keys()].filter((ex) => existsSync(join(impl.dir, ex, files.get(ex)!))) }))
    .filter((p) => p.exercises.length > 0);
  const planFile = join(workDir, 'suites-plan.json');
  const resultFile = join(workDir, 'suites-results.json');
  writeFileSync(planFile, JSON.stringify(plan));
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(ROOT, 'tools', 'fairness.config.ts')], {
    cwd: ROOT,
    env: { ...process.env, GRADLAB_FAIRNESS_MODE: 'suites', GRADLAB_FAIRNESS_PLAN: planFile, GRADLAB_FAIRNESS_RESULTS: resultFile, GRADLAB_STUDENT_SEED: '', GRADLAB_IMPL: '' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (!existsSync(resultFile)) throw new Error(`the suites run produced no results (exit ${run.status}):\n${run.stderr.slice(-3000)}${run.stdout.slice(-3000)}`);
  const results = JSON.parse(readFileSync(resultFile, 'utf8')) as SuiteRun[];
  const empty = results.filter((r) => r.passed === 0 && r.failed.length === 0);
  if (empty.length > 0) throw new Error(`the suites run ran no tests for ${empty.map((r) => r.name).join(', ')}:\n${run.stderr.slice(-3000)}`);
  return results;
}

/** One shard of the seed-dependent part in its own vitest process (tools/fairness-sweep.run.ts): the checks need a test runner. */
function runShard(seeds: readonly string[], publicDraws: readonly string[], only: readonly string[], workDir: string, shard: number): Promise<SweepResult> {
  const planFile = join(workDir, `sweep-plan-${shard}.json`);
  const resultFile = join(workDir, `sweep-results-${shard}.json`);
  writeFileSync(planFile, JSON.stringify({ seeds, publicDraws, only, workDir: join(workDir, `shard-${shard}`) }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(ROOT, 'tools', 'fairness.config.ts')], {
      cwd: ROOT,
      env: { ...process.env, GRADLAB_FAIRNESS_MODE: 'sweep', GRADLAB_FAIRNESS_PLAN: planFile, GRADLAB_FAIRNESS_RESULTS: resultFile, GRADLAB_STUDENT_SEED: '', GRADLAB_IMPL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-6000)));
    child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-6000)));
    child.on('close', (code) => {
      if (!existsSync(resultFile)) reject(new Error(`sweep shard ${shard} produced no results (exit ${code}):\n${output}`));
      else resolve(JSON.parse(readFileSync(resultFile, 'utf8')) as SweepResult);
    });
  });
}

/** Sums the shards of one sweep: the same implementations, exercises and mistakes, disjoint seeds. */
export function mergeSweeps(parts: readonly SweepResult[]): SweepResult {
  const [first] = parts;
  if (!first) throw new Error('mergeSweeps: no shard');
  const gradients = new Map<string, GradientFigure>();
  for (const g of parts.flatMap((p) => p.gradients)) {
    const m = gradients.get(g.check);
    gradients.set(g.check, m ? { ...m, worst: Math.max(m.worst, g.worst), runs: m.runs + g.runs } : { ...g });
  }
  return {
    seeds: parts.flatMap((p) => p.seeds),
    implementations: first.implementations,
    exercises: first.exercises,
    checksRun: parts.reduce((n, p) => n + p.checksRun, 0),
    failures: parts.flatMap((p) => p.failures),
    mistakes: first.mistakes.map((m, i) => ({ ...m, caughtByVariants: parts.reduce((n, p) => n + p.mistakes[i]!.caughtByVariants, 0) })),
    gradients: [...gradients.values()].sort((a, b) => b.worst / b.bound - a.worst / a.bound),
    closeness: [...parts.flatMap((p) => p.closeness).reduce((m, c) => {
      const o = m.get(c.check);
      m.set(c.check, o ? { check: c.check, worst: Math.max(o.worst, c.worst), runs: o.runs + c.runs } : { ...c });
      return m;
    }, new Map<string, { check: string; worst: number; runs: number }>()).values()].sort((a, b) => b.worst - a.worst),
    milliseconds: Object.fromEntries(
      Object.keys(first.milliseconds).map((ex) => [ex, { correct: parts.reduce((n, p) => n + p.milliseconds[ex]!.correct, 0), mistakes: parts.reduce((n, p) => n + p.milliseconds[ex]!.mistakes, 0) }]),
    ),
    seconds: Math.max(...parts.map((p) => p.seconds)),
  };
}

/** The seed-dependent part, its seeds dealt round-robin to `jobs` vitest processes running at once. */
export async function runSweep(seeds: readonly string[], publicDraws: number, only: readonly string[], workDir: string, jobs: number): Promise<SweepResult> {
  const shards = Array.from({ length: Math.max(1, Math.min(jobs, seeds.length)) }, (_, j) => seeds.filter((_, i) => i % jobs === j));
  return mergeSweeps(await Promise.all(shards.map((s, j) => runShard(s, seeds.slice(0, publicDraws), only, workDir, j))));
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const pct = (k: number, n: number): string => `${((100 * k) / n).toFixed(k === n ? 0 : 1)} %`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const seeds = seedsFor(Number(argument('--seeds') ?? 100));
  const only = (argument('--only') ?? '').split(',').filter((s) => s !== '');
  const suites = !process.argv.includes('--no-suites');
  const workDir = makeWorkDir();
  try {
    const implementations = correctImplementations();
    const mistakes = await loadMistakes(only);
    console.log(`fairness sweep: ${seeds.length} seeds × ${implementations.length} correct implementations (${implementations.map((i) => i.name).join(', ')}) × ${mistakes.length} mistakes`);

    let suiteRuns: SuiteRun[] = [];
    let suiteSeconds = 0;
    const publicCatch = new Map<string, boolean>();
    if (suites) {
      const t0 = Date.now();
      suiteRuns = runSuites(implementations, only, workDir);
      for (const v of runMistakes(mistakes)) publicCatch.set(`${v.exercise}/${v.id}`, v.failed.length > 0);
      suiteSeconds = (Date.now() - t0) / 1000;
    }

    const t1 = Date.now();
    const jobs = Number(argument('--jobs') ?? Math.min(2, availableParallelism()));
    const publicDraws = Math.min(seeds.length, Number(argument('--public-draws') ?? 200));
    const result = await runSweep(seeds, publicDraws, only, workDir, jobs);
    const variantSeconds = (Date.now() - t1) / 1000;

    console.log('\ncorrect implementations');
    if (suites) {
      for (const r of suiteRuns) console.log(`  seed-independent tests (public + hidden)  ${r.name.padEnd(22)} ${r.passed + r.failed.length} run, ${r.failed.length} failed`);
      for (const r of suiteRuns) for (const f of r.failed.slice(0, 10)) console.log(`    FAILED ${r.name}: ${f.test}\n      ${f.message.split('\n')[0]}`);
    } else {
      console.log('  seed-independent tests: skipped (--no-suites)');
    }
    console.log(
      `  variant checks: ${result.checksRun} run over ${result.implementations.length} implementations × ${result.exercises.length} exercises × ${seeds.length} seeds` +
        ` (the hidden suites' for every seed; the public gradient checks on fresh draws for the first ${publicDraws})`,
    );
    const unfairSeeds = new Set(result.failures.map((f) => f.seed));
    const suiteFailures = suiteRuns.reduce((n, r) => n + r.failed.length, 0);
    console.log(`  unfair failures: ${result.failures.length + suiteFailures}; seeds with an unfair failure: ${suiteFailures > 0 ? seeds.length : unfairSeeds.size} of ${seeds.length}`);
    for (const f of result.failures.slice(0, 20)) console.log(`    FAILED ${f.implementation} ${f.exercise} ${f.check} (seed ${f.seed})\n      ${f.message.split('\n').join('\n      ')}`);

    console.log('\ngradient checks on correct implementations: worst relative error seen, against the bound');
    for (const g of result.gradients) console.log(`  ${g.worst.toExponential(1).padStart(8)} of ${g.bound.toExponential(0)}  (${(g.bound / Math.max(g.worst, 1e-300)).toExponential(1)}× margin, ${g.runs} checks)  ${g.check}`);

    console.log('\nvalue checks on correct implementations: the largest share of the tolerance used (1 would fail), top 10');
    for (const c of result.closeness.slice(0, 10)) console.log(`  ${c.worst.toExponential(1).padStart(8)}  (${c.runs} comparisons)  ${c.check}`);

    console.log('\nmistakes: caught for how many seeds (public suites catch a mistake for every seed)');
    let everySeed = 0;
    for (const m of result.mistakes) {
      const key = `${m.exercise}/${m.id}`;
      const bySuites = publicCatch.get(key) ?? null;
      const rate = bySuites ? seeds.length : m.caughtByVariants;
      if (rate === seeds.length) everySeed++;
      console.log(`  ${pct(rate, seeds.length).padStart(7)}  ${key.padEnd(52)} public suite: ${bySuites === null ? 'not run' : bySuites ? 'caught' : 'MISSED'}; variant checks alone: ${pct(m.caughtByVariants, seeds.length)}`);
    }
    console.log(`\n${everySeed} of ${result.mistakes.length} mistakes caught for every seed${suites ? '' : ' by the variant checks alone (--no-suites)'}`);
    console.log(`seconds: ${((Date.now() - started) / 1000).toFixed(1)} (seed-independent runs ${suiteSeconds.toFixed(1)}, variant sweep ${variantSeconds.toFixed(1)})`);
    const cpu = Object.entries(result.milliseconds).map(([ex, t]) => `${ex} ${(t.correct / 1000).toFixed(1)} + ${(t.mistakes / 1000).toFixed(1)}`);
    console.log(`  sweep CPU seconds per exercise (correct implementations + mistakes): ${cpu.join(', ')}`);
    const ok = result.failures.length === 0 && suiteFailures === 0 && (!suites || everySeed === result.mistakes.length);
    process.exitCode = ok ? 0 : 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
