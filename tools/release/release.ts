/**
 * `npm run release -- --out <dir> [--git] [--no-verify] [--force]`
 *
 * Writes the student kit: exercises (stubs, briefs, public tests), `lib/`, the trainer's
 * non-exercise layers (`network/`, without its tests), the public fixtures and their schema, a
 * student package.json / lockfile / tsconfig / vitest config and reporter / README, and the GitHub
 * Classroom workflow. Nothing hidden goes in: no solutions, hidden suites, hidden fixtures, rubric,
 * mistakes or generators — and a leak scan of every written file proves it.
 *
 * Then the release verifies itself in a scratch copy: `npm ci && npm test` must run every public
 * suite, and every exercise test must fail with "not implemented yet" (no import, type or fixture
 * errors); `tsc` must accept the stubs.
 *
 * With `--git`, the output becomes a git repository with two branches: `main` (the student kit)
 * and `solutions` (the same kit with every exercise filled in from `solutions/`, plus the reference
 * solutions and the trainer's tests), on which `npm test` passes — instructors push it after the
 * deadline.
 *
 * The output can never be left on `solutions`: a release that fails to verify removes it, and any
 * other failure or an interrupt (Ctrl-C, SIGTERM) leaves it on `main`.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { solutionOnlyLines, staleStubs } from '../stubs.ts';
import { numbersIn, scanForLeaks, solutionBodyLines, type Leak, type Secrets } from './leak-scan.ts';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const TEMPLATES = join(fileURLToPath(new URL('.', import.meta.url)), 'templates');

export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
}

const EXERCISE_DIR = /^[0-9]{2}-[a-z0-9-]+$/;

function exerciseNames(root: string): string[] {
  return readdirSync(join(root, 'exercises')).filter((d) => EXERCISE_DIR.test(d)).sort();
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}

/** Bare package names a set of TypeScript files imports (`'ajv'`, `'vitest/config'` → `vitest`). */
function importedPackages(files: readonly string[]): Set<string> {
  const found = new Set<string>();
  // Runtime imports only: `import type` is erased and needs no dependency of its own.
  const IMPORT = /^(?!import type )(?:import|export)\b[^;]*?(?:from\s*|import\s*\(?\s*)'([^'./][^']*)'/gm;
  // Packages located at run time (e.g. `require.resolve('mnist/package.json')`) count too.
  const RESOLVE = /\b(?:require|require\.resolve|import\.meta\.resolve)\(\s*'([^'./][^']*)'/g;
  for (const f of files.filter((p) => p.endsWith('.ts'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of [...text.matchAll(IMPORT), ...text.matchAll(RESOLVE)]) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) continue;
      found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return found;
}

interface MasterPackage {
  version: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/**
 * A package.json for a released tree: the dependencies its files import (plus their @types and the
 * test tooling), at the master's versions, and the scripts students use.
 */
function packageJsonFor(tree: string, name: string, scripts: Record<string, string>, extra: readonly string[]): string {
  const master = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as MasterPackage;
  const all = { ...master.dependencies, ...master.devDependencies };
  const wanted = new Set([...importedPackages(filesUnder(tree)), ...extra]);
  for (const p of [...wanted]) if (all[`@types/${p}`]) wanted.add(`@types/${p}`);
  const pick = (from: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(from).filter(([p]) => wanted.has(p)).sort(([a], [b]) => a.localeCompare(b)));
  const missing = [...wanted].filter((p) => !all[p]);
  if (missing.length > 0) throw new ReleaseError(`release: the kit imports ${missing.join(', ')}, which the master package.json does not declare`);
  const pkg = {
    name,
    version: master.version,
    private: true,
    description: 'Exercises for the "Training Neural Networks" lecture — fill in the stubs, run the tests.',
    type: 'module',
    engines: master.engines,
    scripts,
    dependencies: pick(master.dependencies),
    devDependencies: pick(master.devDependencies),
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** The master lockfile pruned to this tree's package.json, offline: no registry is contacted. */
function writeLockfile(tree: string): void {
  copy(join(ROOT, 'package-lock.json'), join(tree, 'package-lock.json'));
  const run = spawnSync('npm', ['install', '--package-lock-only', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: tree,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new ReleaseError(`release: could not prune the lockfile offline:\n${run.stderr}`);
}

const STUDENT_SCRIPTS = {
  test: 'vitest run',
  'test:watch': 'vitest',
  'test:ui': 'vitest --ui',
  typecheck: 'tsc --noEmit -p tsconfig.json',
  // The trainer builds the network from exercises/ in the kit, from the reference on the solutions branch.
  train: 'tsx network/train.ts',
  experiment: 'tsx network/experiment.ts',
};

/** What the student tooling needs beyond the packages the kit's files import. */
const TOOLING = ['vitest', '@vitest/ui', 'typescript', '@types/node', 'tsx'];

/** network/'s test support and tests: for the kit's own tests, not for students. */
function isNetworkTestFile(path: string): boolean {
  const rel = relative(join(ROOT, 'network'), path);
  return rel.endsWith('.test.ts') || rel.startsWith(`testing/`);
}

/** What a releasable exercise needs; the problems, if any, one line each. */
export function checkExercises(root = ROOT): string[] {
  const problems: string[] = [];
  for (const ex of exerciseNames(root)) {
    const files = readdirSync(join(root, 'exercises', ex));
    if (!files.includes('README.md')) problems.push(`exercises/${ex} has no README.md brief`);
    if (!files.some((f) => f.endsWith('.test.ts'))) problems.push(`exercises/${ex} has no public test file`);
    if (!files.some((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) problems.push(`exercises/${ex} has no stub`);
    if (!existsSync(join(root, 'fixtures', ex, 'public.json'))) problems.push(`fixtures/${ex}/public.json is missing (run \`npm run fixtures\`)`);
  }
  return problems;
}

/** Writes the student kit into `out` (which must not exist or be empty). */
export function writeStudentKit(out: string): void {
  const exercises = exerciseNames(ROOT);
  for (const ex of exercises) {
    for (const f of readdirSync(join(ROOT, 'exercises', ex))) copy(join(ROOT, 'exercises', ex, f), join(out, 'exercises', ex, f));
    copy(join(ROOT, 'fixtures', ex, 'public.json'), join(out, 'fixtures', ex, 'public.json'));
  }
  copy(join(ROOT, 'fixtures', 'schema.json'), join(out, 'fixtures', 'schema.json'));
  for (const f of filesUnder(join(ROOT, 'lib')).filter((p) => !p.endsWith('.test.ts'))) copy(f, join(out, relative(ROOT, f)));
  // The trainer: affine layers, softmax loss, optimizers, data, reports — no exercise's answer (the leak scan checks).
  for (const f of filesUnder(join(ROOT, 'network')).filter((p) => !isNetworkTestFile(p))) copy(f, join(out, relative(ROOT, f)));
  copy(join(ROOT, 'vitest.reporter.ts'), join(out, 'vitest.reporter.ts'));
  for (const [template, target] of [
    ['README.student.md', 'README.md'],
    ['tsconfig.student.json', 'tsconfig.json'],
    ['vitest.config.student.ts', 'vitest.config.ts'],
    ['gitignore', '.gitignore'],
    ['classroom.yml', '.github/workflows/classroom.yml'],
  ] as const) {
    copy(join(TEMPLATES, template), join(out, target));
  }
  writeFileSync(join(out, 'package.json'), packageJsonFor(out, 'gradlab-exercises', STUDENT_SCRIPTS, TOOLING));
  writeLockfile(out);
}

/** Everything a student must never see, gathered from this repository. */
export function collectSecrets(root = ROOT): Secrets {
  const publicFiles = [
    ...filesUnder(join(root, 'exercises')),
    ...filesUnder(join(root, 'lib')),
    ...filesUnder(join(root, 'network')),
    ...exerciseNames(root).map((ex) => join(root, 'fixtures', ex, 'public.json')).filter(existsSync),
  ];
  const publicText = publicFiles.map((f) => readFileSync(f, 'utf8')).join('\n');
  const publicNumbers = new Set(numbersIn(publicText));
  const publicTokens = new Set(publicText.match(/[a-z0-9]+(?:-[a-z0-9]+)+/g) ?? []);
  const publicLines = new Set(publicText.split('\n').map((l) => l.trim()));

  const values = new Set<string>();
  const caseIds = new Set<string>();
  for (const ex of exerciseNames(root)) {
    const hidden = join(root, 'fixtures', ex, 'hidden.json');
    if (!existsSync(hidden)) continue;
    const text = readFileSync(hidden, 'utf8');
    for (const n of numbersIn(text)) if (!publicNumbers.has(n)) values.add(n);
    for (const m of text.matchAll(/"id": "([a-z0-9-]+)"/g)) if (!publicTokens.has(m[1]!)) caseIds.add(m[1]!);
  }
  for (const f of filesUnder(join(root, 'grader', 'exercises')).filter((p) => p.endsWith('.hidden.test.ts'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/› ([a-z0-9]+(?:-[a-z0-9]+)+):/g)) if (!publicTokens.has(m[1]!)) caseIds.add(m[1]!);
  }
  const solutionLines = new Set<string>();
  for (const f of filesUnder(join(root, 'solutions')).filter((p) => p.endsWith('.ts'))) {
    const source = readFileSync(f, 'utf8');
    // Code inside the solution blocks, and the TSDoc that only the solutions carry (derivations).
    const onlyInSolutions = [...solutionBodyLines(source), ...solutionOnlyLines(source).map((l) => l.trim()).filter((l) => l.length >= 24)];
    for (const line of onlyInSolutions) if (!publicLines.has(line)) solutionLines.add(line);
  }
  return { values, caseIds, solutionLines };
}

function formatLeaks(leaks: readonly Leak[]): string {
  const shown = leaks.slice(0, 20).map((l) => `  ${l.file}:${l.line}: ${l.kind}: ${l.text}`);
  return `${shown.join('\n')}${leaks.length > 20 ? `\n  … and ${leaks.length - 20} more` : ''}`;
}

interface JsonReport {
  numTotalTests: number;
  testResults: { name: string; message: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

/** The release was interrupted (SIGINT, SIGTERM): not a failure of the kit. */
export class ReleaseInterrupted extends Error {
  override readonly name = 'ReleaseInterrupted';
}

/** The kit did not verify: the output is removed, never left to be pushed. */
export class VerificationError extends ReleaseError {}

/** A child process of the self-check, running now (so an interrupt can stop it). */
let running: ChildProcess | null = null;
let interrupted: NodeJS.Signals | null = null;

function throwIfInterrupted(): void {
  if (interrupted) throw new ReleaseInterrupted(`release: interrupted (${interrupted})`);
}

/**
 * Runs one step of the self-check as a child process, with a heartbeat on `log` every 15 s so a
 * minutes-long npm ci or npm test shows it is alive. Resolves with its exit code and output.
 */
export function step(what: string, cmd: string, args: readonly string[], cwd: string, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  throwIfInterrupted();
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  log(`  ${what} …`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const heartbeat = setInterval(() => log(`  … ${what}: still running (${elapsed()})`), 15_000);
    child.on('error', (error) => {
      clearInterval(heartbeat);
      running = null;
      reject(new ReleaseError(`release: ${what} could not start: ${error.message}`));
    });
    child.on('close', (status, signal) => {
      clearInterval(heartbeat);
      running = null;
      // A Ctrl-C reaches the whole process group: the child may report it before our handler runs.
      if (signal === 'SIGINT' || signal === 'SIGTERM' || status === 130) interrupted ??= signal ?? 'SIGINT';
      if (interrupted) return reject(new ReleaseInterrupted(`release: interrupted (${interrupted}) during ${what}`));
      log(`  ${what}: ${status === 0 ? 'done' : `exit ${status}`} in ${elapsed()}`);
      resolvePromise({ status, stdout, stderr });
    });
  });
}

export type Verifier = (tree: string, expect: 'not-implemented' | 'pass', log: (line: string) => void) => Promise<{ tests: number }>;

/**
 * Installs a scratch copy of the kit with `npm ci` and runs its tests. `expect` says what a good
 * result is: every exercise test failing with "not implemented yet" (the student kit) or every
 * test passing (the solutions branch). Each step is logged as it starts and ends.
 */
export const verifyTree: Verifier = async (tree, expect, log) => {
  const scratch = mkdtempSync(join(tmpdir(), 'gradlab-verify-'));
  try {
    cpSync(tree, scratch, { recursive: true, filter: (p) => !p.includes(`${tree}/.git`) });
    const must = async (what: string, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<void> => {
      const r = await step(what, cmd, args, scratch, log, env);
      if (r.status !== 0) throw new VerificationError(`release: ${what} failed (exit ${r.status}):\n${(r.stderr || r.stdout).slice(-4000)}`);
    };
    await must('npm ci', 'npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { ...process.env, GRADLAB_IMPL: '', CI: 'true' });
    await must('tsc', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
    const report = join(scratch, 'report.json');
    const what = expect === 'pass' ? 'npm test (every test must pass)' : 'npm test (every test must fail on the stubs)';
    const test = await step(what, 'npm', ['test', '--', '--reporter=json', `--outputFile=${report}`], scratch, log, { ...process.env, GRADLAB_IMPL: '' });
    if (!existsSync(report)) throw new VerificationError(`release: npm test produced no report:\n${test.stderr.slice(-4000)}`);
    const result = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
    const problems: string[] = [];
    for (const file of result.testResults) {
      if (file.message) problems.push(`${relative(scratch, file.name)}: ${file.message.split('\n')[0]}`);
      for (const t of file.assertionResults) {
        if (expect === 'pass' && t.status !== 'passed' && t.status !== 'skipped') problems.push(`${t.fullName}: ${t.status} ${t.failureMessages[0]?.split('\n')[0] ?? ''}`);
        if (expect === 'not-implemented' && !(t.status === 'failed' && /not implemented yet: \w+ \(exercises\//.test(t.failureMessages.join('\n')))) {
          problems.push(`${t.fullName}: ${t.status}${t.failureMessages[0] ? `: ${t.failureMessages[0].split('\n')[0]}` : ''}`);
        }
      }
    }
    if (result.numTotalTests === 0) problems.push('no tests ran');
    if (expect === 'not-implemented' && test.status === 0) problems.push('npm test passed on the stubs');
    if (expect === 'pass' && test.status !== 0 && problems.length === 0) problems.push(`npm test exited with ${test.status}`);
    if (problems.length > 0) {
      throw new VerificationError(`release: the ${expect === 'pass' ? 'solutions branch' : 'student kit'} does not verify:\n  ${problems.slice(0, 20).join('\n  ')}`);
    }
    return { tests: result.numTotalTests };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
};

/** Removes the solution markers and stub-only lines, for the solutions branch. */
export function stripMarkers(source: string): string {
  return source
    .split('\n')
    .filter((l) => !/^\s*\/\/ (BEGIN|END) SOLUTION\s*$/.test(l) && !/^\s*\/\/> ?/.test(l))
    .join('\n');
}

/**
 * Turns a student kit (a copy) into the solutions branch's tree: every exercise filled in from
 * `solutions/`, `solutions/NN-slug/` itself (the reference the trainer and its tests use), and
 * network/'s tests, so the trainer's commands and tests run there exactly as in this repository.
 */
export function fillWithSolutions(tree: string): void {
  for (const ex of exerciseNames(ROOT)) {
    for (const f of readdirSync(join(ROOT, 'solutions', ex)).filter((n) => n.endsWith('.ts'))) {
      const source = stripMarkers(readFileSync(join(ROOT, 'solutions', ex, f), 'utf8'));
      writeFileSync(join(tree, 'exercises', ex, f), source);
      mkdirSync(join(tree, 'solutions', ex), { recursive: true });
      writeFileSync(join(tree, 'solutions', ex, f), source);
    }
  }
  for (const f of filesUnder(join(ROOT, 'network')).filter(isNetworkTestFile)) copy(f, join(tree, relative(ROOT, f)));
  writeFileSync(join(tree, 'package.json'), packageJsonFor(tree, 'gradlab-exercises', STUDENT_SCRIPTS, TOOLING));
  copy(join(TEMPLATES, 'README.solutions.md'), join(tree, 'README.md'));
  copy(join(TEMPLATES, 'vitest.config.solutions.ts'), join(tree, 'vitest.config.ts'));
  copy(join(TEMPLATES, 'tsconfig.solutions.json'), join(tree, 'tsconfig.json'));
  writeLockfile(tree);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_AUTHOR_NAME: 'gradlab release', GIT_AUTHOR_EMAIL: 'release@gradlab.invalid', GIT_COMMITTER_NAME: 'gradlab release', GIT_COMMITTER_EMAIL: 'release@gradlab.invalid' } });
}

export interface ReleaseOptions {
  out: string;
  git?: boolean;
  verify?: boolean;
  force?: boolean;
  log?: (line: string) => void;
  /** The self-check; tests replace it with a quick stand-in. */
  verifier?: Verifier;
  /** Called after the solutions branch is written, before it is verified; tests use it to fail there. */
  afterSolutions?: (out: string) => void;
}

/** Whether `out` is a git repository whose `main` has a commit. */
function hasMainCommit(out: string): boolean {
  try {
    git(out, 'rev-parse', '--verify', '-q', 'refs/heads/main');
    return true;
  } catch {
    return false;
  }
}

/**
 * Leaves the output safe to push after a failed or interrupted release: removed when the kit did
 * not verify (or no `main` exists yet), otherwise checked out on `main`, clean. Returns what it did.
 */
export function secureOutput(out: string, reason: 'unverified' | 'failed'): string {
  if (!existsSync(out)) return `${out} does not exist`;
  if (reason === 'unverified' || !existsSync(join(out, '.git')) || !hasMainCommit(out)) {
    rmSync(out, { recursive: true, force: true });
    return `removed ${out}`;
  }
  git(out, 'checkout', '-f', '-q', 'main');
  git(out, 'clean', '-f', '-d', '-q');
  return `${out} is on branch main (the student kit)`;
}

export async function release(options: ReleaseOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const verify = options.verifier ?? verifyTree;
  const out = options.out;
  const stale = staleStubs(ROOT);
  if (stale.length > 0) throw new ReleaseError(`release: stubs are out of date (run \`npm run stubs\`): ${stale.join(', ')}`);
  const incomplete = checkExercises();
  if (incomplete.length > 0) throw new ReleaseError(`release: the kit is not complete:\n  ${incomplete.join('\n  ')}`);
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!options.force) throw new ReleaseError(`release: ${out} exists and is not empty (use --force to replace it)`);
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  interrupted = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = signal;
    running?.kill('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = performance.now();
  const since = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  try {
    writeStudentKit(out);
    const secrets = collectSecrets();
    const leaks = scanForLeaks(out, secrets);
    if (leaks.length > 0) throw new VerificationError(`release: the student kit leaks ${leaks.length} hidden item(s):\n${formatLeaks(leaks)}`);
    log(`wrote the student kit to ${out} (${filesUnder(out).length} files); leak scan clean (${secrets.values.size} hidden values, ${secrets.caseIds.size} hidden case ids, ${secrets.solutionLines.size} solution lines checked)`);
    if (options.verify !== false) {
      log('self-check of the student kit in a fresh copy (takes a few minutes):');
      const { tests } = await verify(out, 'not-implemented', log);
      log(`verified: npm ci && npm test in a fresh copy runs ${tests} exercise tests, every one failing with "not implemented yet" (${since()})`);
    }
    throwIfInterrupted();
    if (!options.git) return;
    git(out, 'init', '-q', '-b', 'main');
    git(out, 'add', '-A');
    git(out, 'commit', '-q', '-m', 'Student kit: exercises, briefs, public tests and fixtures, the trainer');
    git(out, 'checkout', '-q', '-b', 'solutions');
    fillWithSolutions(out);
    git(out, 'add', '-A');
    git(out, 'commit', '-q', '-m', 'Reference solutions, and the trainer\'s tests');
    options.afterSolutions?.(out);
    if (options.verify !== false) {
      log('self-check of branch solutions in a fresh copy:');
      const { tests } = await verify(out, 'pass', log);
      log(`verified: on branch solutions, npm ci && npm test passes all ${tests} tests (${since()})`);
    }
    throwIfInterrupted();
    git(out, 'checkout', '-q', 'main');
    log(`git repository with branches main (student kit, checked out) and solutions (push after the deadline)`);
  } catch (error) {
    const what = secureOutput(out, error instanceof VerificationError ? 'unverified' : 'failed');
    if (error instanceof Error) error.message += `\n${what}`;
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function parseArgs(argv: readonly string[]): ReleaseOptions {
  const options: ReleaseOptions = { out: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') options.out = argv[++i] ?? '';
    else if (a.startsWith('--out=')) options.out = a.slice(6);
    else if (a === '--git') options.git = true;
    else if (a === '--no-verify') options.verify = false;
    else if (a === '--force') options.force = true;
    else throw new ReleaseError(`release: unknown argument '${a}' (usage: npm run release -- --out <dir> [--git] [--no-verify] [--force])`);
  }
  if (!options.out) throw new ReleaseError('release: --out <dir> is required (usage: npm run release -- --out <dir> [--git])');
  return options;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await release(parseArgs(process.argv.slice(2)));
  } catch (error) {
    if (error instanceof ReleaseInterrupted) {
      console.error(error.message);
      process.exit(130);
    }
    if (error instanceof ReleaseError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
