/**
 * Builds the private folders of a grading run, in a fresh temp dir:
 *
 *   trusted/               helper.js (the supervising thread), the FIFOs, the list of pids
 *   kit/                   the kit's part of every sandbox: runner.js, lib/ transpiled, seedrandom
 *   submissions/N/sandbox/ what submission N's sandbox process may read: a copy of kit/, the
 *                          submission's implementation files transpiled to JavaScript (types
 *                          erased, never checked), sandbox.json listing modules and compile errors
 *   submissions/N/manifest.json  what the test workers read about submission N
 *
 * Only `.ts` files inside the submission's exercise folders count (tests, `.d.ts`, node_modules,
 * dot folders and symlinks are skipped). A file that does not transpile is recorded with its
 * first diagnostics and fails only the tests that use it.
 */
import { accessSync, constants, copyFileSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type ts from 'typescript';
import { KitCache } from '../cache.ts';
import { makeFifos } from './fifo.ts';
import { discoverExercises, EXERCISE_DIR, type Exercise } from '../discover.ts';
import { typescript } from '../typescript.ts';
import type { SandboxLimits } from './helper.ts';
import type { ExerciseManifest, FileManifest, RemoteManifest } from './manifest.ts';

/** Limits of one grading run; every field has a default. */
export interface GradeLimits {
  callMs: number;
  loadMs: number;
  memoryMb: number;
  heapMb: number;
  addressSpaceMb: number;
  cpuSeconds: number;
  startMs: number;
  strikes: number;
  timeoutBudgetMs: number;
  /** What one call may print, in bytes. */
  outputBytes: number;
}

export const DEFAULT_LIMITS: GradeLimits = {
  callMs: 2000,
  loadMs: 5000,
  memoryMb: 512,
  heapMb: 384,
  addressSpaceMb: 3072,
  cpuSeconds: 300,
  startMs: 10_000,
  strikes: 2,
  timeoutBudgetMs: 8000,
  outputBytes: 1024 * 1024,
};

const MAX_FILE_BYTES = 512 * 1024;
const MAX_FILES_PER_EXERCISE = 100;

let tsVersion: string | null = null;

/** The installed TypeScript's version, without loading it. */
function typescriptVersion(): string {
  tsVersion ??= (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('typescript/package.json'), 'utf8')) as { version: string }).version;
  return tsVersion;
}

function compilerOptions(): ts.CompilerOptions {
  const ts = typescript();
  return {
    module: ts.ModuleKind.ESNext,
    target: ts.ScriptTarget.ES2022,
    rewriteRelativeImportExtensions: true,
    sourceMap: true,
    // Lenient on purpose: `import { Tensor }` without `type` must not become a runtime import.
    verbatimModuleSyntax: false,
    useDefineForClassFields: true,
  };
}

interface Transpiled {
  js: string;
  map: string;
  error?: string;
}

/** Transpiles one TypeScript file; syntax errors are reported, type errors are not looked for. */
export function transpile(source: string, fileName: string): Transpiled {
  const ts = typescript();
  const out = ts.transpileModule(source, { compilerOptions: compilerOptions(), fileName, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  const result: Transpiled = { js: out.outputText, map: out.sourceMapText ?? '' };
  if (errors.length > 0) {
    result.error = errors
      .slice(0, 3)
      .map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
        if (d.file && d.start !== undefined) {
          const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
          return `line ${line + 1}, column ${character + 1}: ${text}`;
        }
        return text;
      })
      .join('; ');
  }
  return result;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/**
 * Transpiles a kit module (trusted source) to `target`, through the kit cache: the kit's files
 * change only with the kit. A kit file that does not transpile is a grader bug.
 */
function transpileKitFile(cache: KitCache, source: string, target: string, displayName: string): void {
  const text = readFileSync(source, 'utf8');
  const cached = cache.memo(KitCache.key('transpile', typescriptVersion(), displayName, text), () => {
    const { js, map, error } = transpile(text, displayName);
    if (error) throw new Error(`prepare: the kit file ${displayName} does not transpile: ${error}`);
    return JSON.stringify({ js, map });
  });
  const { js, map } = JSON.parse(cached) as { js: string; map: string };
  write(target, js);
  write(`${target}.map`, map);
}

/** Every `.ts` file under `dir` that a submission may contribute (recursive, no symlinks). */
function submissionFiles(dir: string, notes: string[], display: string): string[] {
  const found: string[] = [];
  const walk = (current: string, depth: number): void => {
    if (depth > 5) return;
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const rel = `${display}/${toPosix(relative(dir, path))}`;
      const info = lstatSync(path);
      if (info.isSymbolicLink()) {
        notes.push(`${rel}: symbolic link ignored`);
        continue;
      }
      if (info.isDirectory()) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        walk(path, depth + 1);
        continue;
      }
      if (!info.isFile() || !name.endsWith('.ts') || name.endsWith('.d.ts') || /\.(test|spec)\.ts$/.test(name)) continue;
      if (info.size > MAX_FILE_BYTES) {
        notes.push(`${rel}: ignored, larger than ${MAX_FILE_BYTES / 1024} KB`);
        continue;
      }
      if (found.length >= MAX_FILES_PER_EXERCISE) {
        notes.push(`${rel}: ignored, more than ${MAX_FILES_PER_EXERCISE} files in one exercise`);
        continue;
      }
      found.push(path);
    }
  };
  walk(dir, 0);
  return found;
}

/** The folder holding the submission's `NN-slug/` folders: `<dir>/exercises` if present, else `<dir>`. */
export function submissionRoot(dir: string): string {
  const nested = join(dir, 'exercises');
  try {
    if (statSync(nested).isDirectory()) return nested;
  } catch {
    /* laid out like exercises/ itself */
  }
  return dir;
}

function findPrlimit(): string | null {
  for (const candidate of ['/usr/bin/prlimit', '/bin/prlimit', '/usr/local/bin/prlimit']) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** Removes a run's temp dir, after stopping any sandbox process still running from it. */
export function cleanupWorkDir(workDir: string): void {
  killLeftovers(workDir, workDir);
  rmSync(workDir, { recursive: true, force: true });
}

/**
 * Kills sandbox processes still running from `scope` (a test worker that ended abruptly leaves
 * them blocked on their pipes). A pid is killed only while its command line still names `scope`,
 * so a reused pid is never touched.
 */
function killLeftovers(workDir: string, scope: string): void {
  let pids: string[];
  try {
    pids = readFileSync(join(workDir, 'trusted', 'pids'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return;
  }
  for (const pid of new Set(pids)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(scope)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
}

export interface RunOptions {
  /** The kit's root (where exercises/, solutions/, lib/ live). */
  root: string;
  limits?: Partial<GradeLimits>;
  /** Parent of the temp dir; default the OS temp dir. */
  tmpDir?: string;
  /** An empty temp dir made by the caller, to use instead of a new one. */
  workDir?: string;
}

/**
 * Where runs make their temp dirs: the OS temp dir, or /dev/shm when the temp dir is the default
 * /tmp and /dev/shm is a writable memory file system with room to spare. A run writes and deletes
 * hundreds of small files (sandbox copies, FIFOs, transpiled modules): in memory that costs about a
 * fifth of the CPU it costs on a journaled disk.
 */
function defaultTmpDir(): string {
  const tmp = tmpdir();
  if (tmp !== '/tmp' || ['TMPDIR', 'TMP', 'TEMP'].some((k) => process.env[k] !== undefined)) return tmp;
  try {
    const fs = statfsSync('/dev/shm');
    accessSync('/dev/shm', constants.W_OK);
    if (fs.bavail * fs.bsize >= 512 * 1024 * 1024) return '/dev/shm';
  } catch {
    /* no /dev/shm here */
  }
  return tmp;
}

/** A fresh, empty temp dir for a run. */
export function makeWorkDir(tmpDir?: string): string {
  return realpathSync(mkdtempSync(join(tmpDir ?? defaultTmpDir(), 'gradlab-')));
}

/** What every submission of a grading run shares: the kit's side of the sandbox and the trusted dir. */
export interface PreparedRun {
  root: string;
  /** The run's temp dir: trusted/, kit/ and one folder per submission. */
  workDir: string;
  /** The helper thread's script (trusted/helper.js). */
  helperFile: string;
  limits: GradeLimits;
  exercises: Exercise[];
  prlimit: string | null;
}

/**
 * Builds the parts of the sandbox that come from the kit (lib/ and the runner transpiled, a copy of
 * seedrandom) once per run, and the trusted dir with the helper thread.
 */
export function prepareRun(options: RunOptions): PreparedRun {
  const { root } = options;
  const limits: GradeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const exercises = discoverExercises(root);
  const cache = new KitCache(root);
  const workDir = options.workDir ?? makeWorkDir(options.tmpDir);
  try {
    const kitDir = join(workDir, 'kit');
    const trustedDir = join(workDir, 'trusted');
    const kitFiles: Record<string, { ts: string }> = {};
    // The kit's library, as the submission imports it (lib/testing is for suites only).
    const libDir = join(root, 'lib');
    const libFiles = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return name === 'testing' ? [] : walk(path);
        return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
      });
    })(libDir);
    for (const file of libFiles) {
      const display = `lib/${toPosix(relative(libDir, file))}`;
      const sandboxPath = display.replace(/\.ts$/, '.js');
      transpileKitFile(cache, file, join(kitDir, sandboxPath), display);
      kitFiles[sandboxPath] = { ts: display };
    }
    // seedrandom (lib/random.ts imports it), copied so the sandbox reads nothing outside its dir.
    const seedrandom = join(root, 'node_modules', 'seedrandom');
    for (const rel of ['package.json', 'index.js', 'seedrandom.js', ...readdirSync(join(seedrandom, 'lib')).filter((f) => f.endsWith('.js')).map((f) => `lib/${f}`)]) {
      mkdirSync(dirname(join(kitDir, 'node_modules', 'seedrandom', rel)), { recursive: true });
      copyFileSync(join(seedrandom, rel), join(kitDir, 'node_modules', 'seedrandom', rel));
    }
    // The runner and the helper, from their TypeScript sources.
    const here = join(root, 'grader', 'sandbox');
    for (const name of ['runner', 'protocol', 'rng-count']) transpileKitFile(cache, join(here, `${name}.ts`), join(kitDir, `${name}.js`), `${name}.ts`);
    for (const name of ['helper', 'clock']) transpileKitFile(cache, join(here, `${name}.ts`), join(trustedDir, `${name}.js`), `${name}.ts`);
    mkdirSync(join(trustedDir, 'fifo'), { recursive: true });
    write(join(kitDir, 'package.json'), '{ "type": "module" }\n');
    write(join(trustedDir, 'package.json'), '{ "type": "module" }\n');
    write(join(workDir, 'kit-files.json'), JSON.stringify(kitFiles));
    return { root, workDir, helperFile: join(trustedDir, 'helper.js'), limits, exercises, prlimit: findPrlimit() };
  } catch (error) {
    cleanupWorkDir(workDir);
    throw error;
  }
}

/**
 * FIFO pairs made per submission ahead of need: one per exercise and lane spare, and restarts
 * (the test workers make more when the stock runs out).
 */
const FIFO_STOCK = 16;

/** Tops trusted/fifo-stock up to `count` fresh FIFO pairs (one mkfifo for all; see transport.ts). */
function stockFifos(workDir: string, count: number): void {
  const stock = join(workDir, 'trusted', 'fifo-stock');
  let have = 0;
  try {
    have = readdirSync(stock).length;
  } catch {
    have = 0;
  }
  const paths: string[] = [];
  for (let i = 0; i < count - have; i++) {
    const dir = join(stock, `${Date.now().toString(36)}-${i}`);
    mkdirSync(dir, { recursive: true });
    paths.push(join(dir, 'req'), join(dir, 'rep'));
  }
  // Best effort: without mkfifo here, the test workers make their own (and say so if they cannot).
  if (paths.length > 0) makeFifos(paths);
}

export interface PreparedSubmission {
  /** This submission's folder inside the run: sandbox/ and manifest.json. */
  dir: string;
  manifestPath: string;
  manifest: RemoteManifest;
  /** What was ignored or refused in the submission, for the feedback. */
  notes: string[];
  /** The submission's implementation files by exercise (absolute paths), found when staging. */
  files: Record<string, string[]>;
  /** The folder holding the submission's exercise folders. */
  subRoot: string;
}

/**
 * The fast half of preparing a submission: its sandbox folder with the kit's part, and a manifest
 * with `ready: false` (exports known, file statuses not yet). Tests can start collecting and
 * sandbox processes can boot while `finishSubmission` transpiles.
 */
export function stageSubmission(run: PreparedRun, submission: string, seed: string, index: number): PreparedSubmission {
  const subRoot = submissionRoot(submission);
  statSync(subRoot); // a missing submission folder is the caller's error, raised here
  const dir = join(run.workDir, 'submissions', String(index));
  const sandboxDir = join(dir, 'sandbox');
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(run.workDir, 'kit'), sandboxDir, { recursive: true });
  const kitFiles = readFileSync(join(run.workDir, 'kit-files.json'), 'utf8');
  write(join(sandboxDir, 'sandbox.json'), `${JSON.stringify({ files: JSON.parse(kitFiles) as unknown, outputBytes: run.limits.outputBytes })}\n`);
  const notes: string[] = [];
  const known = new Set(run.exercises.map((e) => e.id));
  for (const name of readdirSync(subRoot).sort()) {
    if (EXERCISE_DIR.test(name) && !known.has(name)) notes.push(`${name}/: not an exercise of this kit, ignored`);
  }
  const files: Record<string, string[]> = {};
  const manifestExercises: Record<string, ExerciseManifest> = {};
  for (const exercise of run.exercises) {
    const folder = join(subRoot, exercise.id);
    try {
      files[exercise.id] = lstatSync(folder).isDirectory() ? submissionFiles(folder, notes, exercise.id) : [];
    } catch {
      files[exercise.id] = [];
    }
    manifestExercises[exercise.id] = {
      files: Object.fromEntries(
        exercise.files.map((file) => [file.name, { status: 'pending', sandboxPath: `exercises/${exercise.id}/${file.name.replace(/\.ts$/, '.js')}`, exports: file.exports }]),
      ),
    };
  }
  stockFifos(run.workDir, FIFO_STOCK);
  const { limits } = run;
  const sandboxLimits: SandboxLimits = {
    node: process.execPath,
    prlimit: run.prlimit,
    sandboxDir,
    memoryMb: limits.memoryMb,
    heapMb: limits.heapMb,
    addressSpaceMb: limits.addressSpaceMb,
    cpuSeconds: limits.cpuSeconds,
    startMs: limits.startMs,
    outputBytes: limits.outputBytes,
  };
  const manifest: RemoteManifest = {
    root: run.root,
    sandboxDir,
    helperFile: run.helperFile,
    seed,
    ready: false,
    limits: sandboxLimits,
    callMs: limits.callMs,
    loadMs: limits.loadMs,
    strikes: limits.strikes,
    timeoutBudgetMs: limits.timeoutBudgetMs,
    exercises: manifestExercises,
  };
  const manifestPath = join(dir, 'manifest.json');
  return { dir, manifestPath, manifest, notes, files, subRoot };
}

/** The slow half: transpiles the submission's files into its sandbox; the manifest becomes ready. */
export function finishSubmission(run: PreparedRun, staged: PreparedSubmission): PreparedSubmission {
  const sandboxDir = staged.manifest.sandboxDir;
  const sandboxFiles = JSON.parse(readFileSync(join(run.workDir, 'kit-files.json'), 'utf8')) as Record<string, { ts: string; error?: string }>;
  const manifestExercises: Record<string, ExerciseManifest> = {};
  for (const exercise of run.exercises) {
    const folder = join(staged.subRoot, exercise.id);
    const compiled = new Map<string, string | undefined>();
    for (const file of staged.files[exercise.id] ?? []) {
      const rel = toPosix(relative(folder, file));
      const display = `exercises/${exercise.id}/${rel}`;
      const sandboxPath = display.replace(/\.ts$/, '.js');
      const { js, map, error } = transpile(readFileSync(file, 'utf8'), display);
      write(join(sandboxDir, sandboxPath), js);
      write(join(sandboxDir, `${sandboxPath}.map`), map);
      sandboxFiles[sandboxPath] = error ? { ts: display, error } : { ts: display };
      compiled.set(rel, error);
    }
    const files: Record<string, FileManifest> = {};
    for (const file of exercise.files) {
      const sandboxPath = `exercises/${exercise.id}/${file.name.replace(/\.ts$/, '.js')}`;
      files[file.name] = compiled.has(file.name)
        ? compiled.get(file.name)
          ? { status: 'compile-error', error: compiled.get(file.name)!, sandboxPath, exports: file.exports }
          : { status: 'ok', sandboxPath, exports: file.exports }
        : { status: 'missing', sandboxPath, exports: file.exports };
    }
    manifestExercises[exercise.id] = { files };
  }
  // sandbox.json last and whole: a process reads it when its first module is asked for.
  const temp = join(sandboxDir, '.sandbox.json.tmp');
  writeFileSync(temp, `${JSON.stringify({ files: sandboxFiles, outputBytes: run.limits.outputBytes })}\n`);
  renameSync(temp, join(sandboxDir, 'sandbox.json'));
  const manifest: RemoteManifest = { ...staged.manifest, ready: true, exercises: manifestExercises };
  write(staged.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { ...staged, manifest };
}

/** Prepares a submission in one go (stage, then finish). */
export function prepareSubmission(run: PreparedRun, submission: string, seed: string, index: number): PreparedSubmission {
  return finishSubmission(run, stageSubmission(run, submission, seed, index));
}

/** Removes one submission's folder from the run, stopping its sandbox processes first. */
export function cleanupSubmission(run: { workDir: string }, prepared: { dir: string }): void {
  killLeftovers(run.workDir, prepared.dir);
  rmSync(prepared.dir, { recursive: true, force: true });
}
