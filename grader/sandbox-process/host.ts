/**
 * The sandbox process: one per submission, started by a test worker (grader/test-worker/sandbox.ts)
 * through the OS layers the machine offers (an unprivileged user, no network namespace, CPU and
 * wall-clock rlimits) and Node's permission model (it may read only this file and isolated-vm).
 *
 * This file is the kit's code and runs in Node's own realm; the submission never does. Each
 * exercise of the submission gets a V8 isolate (isolated-vm) with a memory limit: its own heap and
 * built-ins, no `process`, no handles, no modules but the ones this file links in (the submission's
 * files, lib/). Requests come on fd 0 and replies go on fd 1 (FIFOs held by the test worker), one
 * frame at a time (grader/shared/protocol.ts).
 *
 * Limits enforced here, from outside the isolate: the CPU time of each request (this process's own
 * CPU clock, checked while the isolate runs on its own thread; over the limit, the isolate is
 * disposed), memory (isolated-vm disposes an isolate over its limit), what may be printed and how
 * large a result may be. A disposed isolate is replaced on the next request; its handles go stale.
 *
 *   node --experimental-permission --allow-fs-read=<this file>,<isolated-vm> --allow-addons host.mjs <isolated-vm dir>
 */
import { readSync, writeSync } from 'node:fs';
import { createRequire, SourceMap, type SourceMapPayload } from 'node:module';
import { posix } from 'node:path';
import { deserialize } from 'node:v8';
import type IVM from 'isolated-vm';
import {
  encodeFrame,
  MAX_FRAME_BYTES,
  NO_PRINTS,
  type FromSandbox,
  type GradientOptions,
  type LoadedFile,
  type ModuleSource,
  type Prints,
  type SandboxFailureKind,
  type SandboxLimits,
  type ThrownInfo,
  type ToSandbox,
} from '../shared/protocol.ts';

const ivm = createRequire(import.meta.url)(process.argv[2]!) as typeof IVM;

const REQUEST_FD = 0;
const REPLY_FD = 1;

let limits: SandboxLimits;
let bridgeSource = '';
let kit: Record<string, ModuleSource> = {};
let submission: Record<string, ModuleSource> = {};

// ---------------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------------

function send(message: FromSandbox): void {
  let frame = encodeFrame(message);
  if (frame.length > limits.resultBytes + 4096 && 'id' in message && message.t !== 'failed') {
    const mb = (frame.length / (1024 * 1024)).toFixed(1);
    frame = encodeFrame({ t: 'failed', id: message.id, kind: 'output', message: `returned ${mb} MB (the limit is ${(limits.resultBytes / (1024 * 1024)).toFixed(0)} MB)`, prints: NO_PRINTS });
  }
  for (let offset = 0; offset < frame.length; ) {
    try {
      offset += writeSync(REPLY_FD, frame, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      process.exit(0); // the test worker is gone
    }
  }
}

function readExactly(length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  for (let offset = 0; offset < length; ) {
    let n: number;
    try {
      n = readSync(REQUEST_FD, buffer, offset, length - offset, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw error;
    }
    if (n === 0) process.exit(0); // the test worker closed its end: the submission's grading is over
    offset += n;
  }
  return buffer;
}

function nextRequest(): ToSandbox {
  const length = readExactly(4).readUInt32LE(0);
  if (length > MAX_FRAME_BYTES) throw new Error(`a request of ${length} bytes`);
  return deserialize(readExactly(length)) as ToSandbox;
}

// ---------------------------------------------------------------------------------------------
// Module linking: the submission imports its own files, other exercises' files and lib/.
// ---------------------------------------------------------------------------------------------

class LinkError extends Error {
  constructor(
    readonly kind: 'access' | 'load',
    message: string,
  ) {
    super(message);
  }
}

const NODE_BUILTINS = new Set(['assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console', 'crypto', 'dgram', 'dns', 'events', 'fs', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'repl', 'stream', 'string_decoder', 'timers', 'tls', 'tty', 'url', 'util', 'v8', 'vm', 'wasi', 'worker_threads', 'zlib']);

/** The path a specifier names, from the module at `from`; throws a LinkError for what may not be imported. */
function resolvePath(specifier: string, from: string): string {
  const bare = specifier.split('/')[0]!;
  if (specifier.startsWith('node:') || NODE_BUILTINS.has(bare)) {
    throw new LinkError('access', `access denied: '${specifier}' is a Node module, and submissions run without Node's modules (no files, processes or network)`);
  }
  const fromKit = !from.startsWith('exercises/');
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
    if (fromKit && specifier === 'seedrandom') return 'node_modules/seedrandom/index.js';
    throw new LinkError('load', `cannot import '${specifier}': a submission may import its own files, its other exercises and lib/ only`);
  }
  const path = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = path.endsWith('.js') ? [path, `${path.slice(0, -3)}.ts`] : [path, `${path}.ts`, `${path}/index.ts`];
  for (const candidate of candidates) {
    if (candidate.startsWith('exercises/') && Object.hasOwn(submission, candidate)) return candidate;
    if (candidate.startsWith('lib/') && Object.hasOwn(kit, candidate)) {
      if (!fromKit && candidate.startsWith('lib/testing/')) break;
      return candidate;
    }
  }
  throw new LinkError('load', `cannot import '${specifier}' from ${from}: no such file in the submission or in lib/`);
}

function sourceOf(path: string): ModuleSource {
  const source = path.startsWith('exercises/') ? submission[path] : kit[path];
  if (!source) throw new LinkError('load', `no module ${path}`);
  if (source.error !== undefined) throw new LinkError('load', `${path.replace(/^exercises\//, '')} does not compile: ${source.error}`);
  return source;
}

// ---------------------------------------------------------------------------------------------
// One isolate per exercise
// ---------------------------------------------------------------------------------------------

interface Bridge {
  register: IVM.Reference<(path: string, namespace: unknown) => Record<string, string>>;
  call: IVM.Reference<(path: string, fn: string, args: unknown[]) => unknown>;
  gradient: IVM.Reference<(path: string, fn: string, args: unknown[], options: GradientOptions) => unknown>;
  repeat: IVM.Reference<(path: string, fn: string, args: unknown[], times: number) => unknown>;
  read: IVM.Reference<(path: string, name: string) => unknown>;
  forget: IVM.Reference<() => void>;
}

/** An exercise's realm: an isolate of its own (heap, globals, built-ins), alive while its suites run. */
interface ExerciseIsolate {
  isolate: IVM.Isolate;
  bridge: Bridge;
  files: Record<string, LoadedFile>;
}

/**
 * One isolate per exercise, and only one alive at a time: the suites run exercise by exercise
 * (public suite, then hidden), so when a request names another exercise, the previous exercise's
 * isolate is disposed first. Nothing of an exercise outlives its suites: no heap, no object, no
 * memory it still holds (an isolate's free memory is measurable from any context of that
 * isolate, which would carry what a hidden suite's inputs were into the next exercise's public
 * tests and their printed output). Replaced when it is disposed (over its memory limit, or out
 * of CPU time).
 */
function exerciseIsolate(exercise: string): IVM.Isolate {
  for (const [other, state] of exercises) {
    if (other === exercise && !state.isolate.isDisposed) return state.isolate;
    if (!state.isolate.isDisposed) state.isolate.dispose();
    exercises.delete(other);
  }
  // This exercise's memory is measured from here: whatever the process kept of earlier ones is not its own.
  baselineRss = process.memoryUsage.rss();
  return new ivm.Isolate({
    memoryLimit: limits.memoryMb,
    onCatastrophicError: (message: string) => {
      process.stderr.write(`isolated-vm: ${message}\n`);
      process.exit(70);
    },
  });
}

/** Why the last request's isolate was disposed, when this process disposed it. */
let disposedFor: 'timeout' | 'memory' | null = null;

/** This process's resident memory before the current exercise's isolate existed. */
let baselineRss = 0;

const exercises = new Map<string, ExerciseIsolate>();
/** Exercises whose loading ran out of time or memory: their modules are not run again. */
const failedLoads = new Map<string, Record<string, LoadedFile>>();
/** Timeouts and memory failures per function: after `STRIKES` of them a function is not called again. */
const strikes = new Map<string, { count: number; kinds: Set<SandboxFailureKind> }>();
const STRIKES = 2;

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * Runs `work` (which runs in `isolate`) under the CPU limit: this process's CPU time is almost all
 * the isolate's (this thread only waits), so over `limitMs` of it the isolate is disposed and the
 * work fails. The wall clock is only a backstop for an isolate that somehow does not run.
 */
async function withinCpu<T>(isolate: IVM.Isolate, limitMs: number, work: (wallBackstopMs: number) => Promise<T>): Promise<T> {
  const start = cpuMicros();
  // V8 notices a heap over its limit only after garbage collections that can take seconds; this
  // process's resident memory says it sooner.
  const maxRss = baselineRss + limits.memoryMb * 0.9 * 1024 * 1024;
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    if (cpuMicros() - start > limitMs * 1000) disposedFor = 'timeout';
    else if (process.memoryUsage.rss() > maxRss) disposedFor = 'memory';
    if (disposedFor !== null) {
      if (!isolate.isDisposed) isolate.dispose();
      return;
    }
    timer = setTimeout(check, 5);
  };
  timer = setTimeout(check, Math.max(1, Math.min(limitMs / 4, 20)));
  try {
    return await work(20 * limitMs + 10_000);
  } finally {
    clearTimeout(timer);
  }
}

function sandboxFailure(error: unknown, isolate: IVM.Isolate): { kind: SandboxFailureKind; message: string } | null {
  const message = error instanceof Error ? error.message : String(error);
  if (disposedFor === 'timeout') return { kind: 'timeout', message: 'ran out of CPU time' };
  if (disposedFor === 'memory') return { kind: 'memory', message: 'exceeded the memory limit' };
  if (/memory limit/i.test(message) || /Array buffer allocation failed/.test(message)) return { kind: 'memory', message: 'exceeded the memory limit' };
  if (/Script execution timed out/.test(message)) return { kind: 'timeout', message: 'ran out of time' };
  if (isolate.isDisposed) return { kind: 'memory', message: 'exceeded the memory limit' };
  return null;
}

async function createExercise(exercise: string, fileNames: string[]): Promise<ExerciseIsolate> {
  const isolate = exerciseIsolate(exercise);
  const context = await isolate.createContext();
  const bridgeModule = await isolate.compileModule(bridgeSource, { filename: 'file:///gradlab/bridge.js' });
  await bridgeModule.instantiate(context, () => {
    throw new Error('the bridge imports nothing');
  });
  await bridgeModule.evaluate({ timeout: 10_000 });
  const ns = bridgeModule.namespace;
  const bridge: Bridge = {
    register: await ns.get('register', { reference: true }),
    call: await ns.get('call', { reference: true }),
    gradient: await ns.get('gradient', { reference: true }),
    repeat: await ns.get('repeat', { reference: true }),
    read: await ns.get('read', { reference: true }),
    forget: await ns.get('forget', { reference: true }),
  };
  const configure = (await ns.get('configure', { reference: true })) as IVM.Reference<(limit: number) => void>;
  await configure.apply(undefined, [limits.outputBytes]);

  const compiled = new Map<string, IVM.Module>();
  const pathOf = new Map<IVM.Module, string>();
  const compile = async (path: string): Promise<IVM.Module> => {
    const existing = compiled.get(path);
    if (existing) return existing;
    const module = await isolate.compileModule(sourceOf(path).code, { filename: `file:///${path}` });
    compiled.set(path, module);
    pathOf.set(module, path);
    return module;
  };
  const resolver = (specifier: string, referrer: IVM.Module): Promise<IVM.Module> => compile(resolvePath(specifier, pathOf.get(referrer) ?? ''));

  const files: Record<string, LoadedFile> = {};
  const state: ExerciseIsolate = { isolate, bridge, files };
  for (const name of fileNames) {
    const path = `exercises/${exercise}/${name}`;
    if (!Object.hasOwn(submission, path)) continue;
    try {
      const module = await compile(path);
      await module.instantiate(context, resolver);
      disposedFor = null;
      await withinCpu(isolate, limits.loadCpuMs, (wall) => module.evaluate({ timeout: wall }));
      // A module whose top-level await never settles is left half-evaluated, its exports usable
      // or not: a module importing it evaluates only once it has finished, so one that has not
      // evaluated says so.
      const probe = await isolate.compileModule(`import ${JSON.stringify(`./${name}`)};\nexport const finished = true;\n`, { filename: `file:///${path}.finished.js` });
      pathOf.set(probe, path);
      await probe.instantiate(context, resolver);
      await withinCpu(isolate, limits.loadCpuMs, (wall) => probe.evaluate({ timeout: wall }));
      let finished = false;
      try {
        finished = (await probe.namespace.get('finished')) === true;
      } catch {
        finished = false;
      }
      const kinds = (await bridge.register.apply(undefined, [path, module.namespace.derefInto()], { result: { copy: true } })) as Record<string, 'function' | 'class' | 'value' | 'pending'>;
      files[name] = !finished || Object.values(kinds).includes('pending')
        ? { status: 'failed', kind: 'load', message: `${name} did not finish loading: its top-level code waits for something that never comes (an await on a promise nothing resolves)` }
        : { status: 'ok', exports: kinds as Record<string, 'function' | 'class' | 'value'> };
    } catch (error) {
      if (error instanceof LinkError) {
        files[name] = { status: 'failed', kind: error.kind, message: error.message };
        continue;
      }
      const fatal = sandboxFailure(error, isolate);
      if (fatal) {
        if (!isolate.isDisposed) isolate.dispose();
        exercises.delete(exercise);
        const failed: LoadedFile = { status: 'failed', kind: fatal.kind === 'timeout' ? 'timeout' : 'memory', message: `loading ${name} ${fatal.message}` };
        const all = Object.fromEntries(fileNames.map((n) => [n, failed]));
        failedLoads.set(exercise, all);
        state.files = all;
        return state;
      }
      files[name] = { status: 'failed', kind: 'load', message: loadErrorMessage(error, path) };
    }
  }
  return state;
}

function loadErrorMessage(error: unknown, path: string): string {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return `${path.split('/').pop()} failed to load: ${mapFrames(text)}`.slice(0, 2000);
}

/** The exercise's isolate (created on first use), or how its files failed to load for good. */
async function exerciseFor(exercise: string, fileNames: string[]): Promise<{ state: ExerciseIsolate } | { failed: Record<string, LoadedFile> }> {
  const failed = failedLoads.get(exercise);
  if (failed) return { failed };
  const existing = exercises.get(exercise);
  if (existing && !existing.isolate.isDisposed) return { state: existing };
  const created = await createExercise(exercise, fileNames);
  if (failedLoads.has(exercise)) return { failed: failedLoads.get(exercise)! };
  exercises.set(exercise, created);
  return { state: created };
}

// ---------------------------------------------------------------------------------------------
// Stack frames, mapped to the submission's .ts lines
// ---------------------------------------------------------------------------------------------

const maps = new Map<string, SourceMap | null>();

function mapFrames(text: string): string {
  return text.replace(/file:\/\/\/(exercises\/[^\s:()]+):(\d+):(\d+)/g, (all, path: string, line: string, column: string) => {
    let map = maps.get(path);
    if (map === undefined) {
      const payload = submission[path]?.map;
      try {
        map = payload ? new SourceMap(JSON.parse(payload) as SourceMapPayload) : null;
      } catch {
        map = null;
      }
      maps.set(path, map);
    }
    const entry = map?.findEntry(Number(line) - 1, Number(column) - 1) as { originalLine?: number; originalColumn?: number } | undefined;
    if (!entry || entry.originalLine === undefined) return `${path}:${line}:${column}`;
    return `${path}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

function prints(raw: unknown): Prints {
  const p = (raw ?? {}) as Partial<Prints>;
  const text = (v: unknown): string => (typeof v === 'string' ? v.slice(0, limits.outputBytes) : '');
  return { stdout: text(p.stdout), stderr: text(p.stderr), bytes: typeof p.bytes === 'number' ? p.bytes : 0 };
}

/** Deep equality of two copies of data (typed arrays by element, NaN equal to NaN, −0 apart from 0). */
function sameData(a: unknown, b: unknown, depth = 0): boolean {
  if (Object.is(a, b)) return true;
  if (depth > 64 || a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

function strikeKey(exercise: string, fn: string): string {
  return `${exercise}\0${fn}`;
}

type Invocation = { exercise: string; file: string; fn: string; args: unknown[]; run: (bridge: Bridge, path: string, args: unknown[], wall: number) => Promise<unknown> };

async function invoke(id: number, request: Invocation, fileNames: string[]): Promise<FromSandbox> {
  const { exercise, file, fn } = request;
  const struck = strikes.get(strikeKey(exercise, fn)) ?? { count: 0, kinds: new Set<SandboxFailureKind>() };
  if (struck.count >= STRIKES) {
    // The verdict of the strikes themselves, so that it does not depend on which limit a busy
    // machine let the function reach first in a later call: memory when any strike was memory.
    const kind: SandboxFailureKind = struck.kinds.has('memory') ? 'memory' : 'timeout';
    const what = struck.kinds.size > 1 ? 'time or memory' : kind === 'memory' ? 'memory' : 'CPU time';
    return { t: 'failed', id, kind, message: `was not run again after ${STRIKES} runs that ran out of ${what}`, prints: NO_PRINTS };
  }
  const target = await exerciseFor(exercise, fileNames);
  const files = 'state' in target ? target.state.files : target.failed;
  const loaded = files[file];
  if (!loaded) return { t: 'failed', id, kind: 'missing-export', message: `the submission has no ${file}`, prints: NO_PRINTS };
  if (loaded.status === 'failed') return { t: 'failed', id, kind: loaded.kind, message: loaded.message, prints: NO_PRINTS };
  if (!('state' in target)) return { t: 'failed', id, kind: 'internal', message: 'the exercise is not loaded', prints: NO_PRINTS };
  const { isolate, bridge } = target.state;
  const path = `exercises/${exercise}/${file}`;
  disposedFor = null;
  let reply: Record<string, unknown>;
  try {
    reply = (await withinCpu(isolate, limits.callCpuMs, (wall) => request.run(bridge, path, request.args, wall))) as Record<string, unknown>;
  } catch (error) {
    const fatal = sandboxFailure(error, isolate);
    if (!fatal) return { t: 'failed', id, kind: 'internal', message: `the sandbox could not run ${fn}: ${error instanceof Error ? error.message : String(error)}`, prints: NO_PRINTS };
    if (!isolate.isDisposed) isolate.dispose();
    exercises.delete(exercise);
    strikes.set(strikeKey(exercise, fn), { count: struck.count + 1, kinds: new Set([...struck.kinds, fatal.kind]) });
    return { t: 'failed', id, kind: fatal.kind, message: fatal.message, prints: NO_PRINTS };
  }
  if (reply === null || typeof reply !== 'object') return { t: 'failed', id, kind: 'internal', message: 'the bridge gave no answer', prints: NO_PRINTS };
  const printed = prints(reply['prints']);
  const changed = (after: unknown): unknown[] | undefined => (Array.isArray(after) && !sameData(request.args, after) ? after : undefined);
  if (reply['ok'] === true) {
    const args = changed(reply['args']);
    const message: FromSandbox = { t: 'returned', id, value: reply['value'], prints: printed };
    if (args) message.args = args;
    if (Array.isArray(reply['draws']) && reply['draws'].length > 0) message.draws = reply['draws'] as { path: (string | number)[]; count: number }[];
    if (Array.isArray(reply['states']) && reply['states'].length > 0) message.states = reply['states'] as { path: (string | number)[]; state: Record<string, unknown> }[];
    return message;
  }
  if (reply['thrown'] !== undefined) {
    const thrown = reply['thrown'] as ThrownInfo;
    // V8 throws this RangeError in the isolate when its buffers reach the memory limit.
    if (thrown.builtin === 'RangeError' && thrown.message === 'Array buffer allocation failed') {
      // A strike like any other memory failure, however it was noticed.
      strikes.set(strikeKey(exercise, fn), { count: struck.count + 1, kinds: new Set([...struck.kinds, 'memory' as const]) });
      return { t: 'failed', id, kind: 'memory', message: 'exceeded the memory limit', prints: printed };
    }
    const error: ThrownInfo = {
      form: thrown.form === 'error' ? 'error' : 'value',
      builtin: String(thrown.builtin),
      name: String(thrown.name).slice(0, 100),
      message: mapFrames(String(thrown.message)).slice(0, 2000),
      frames: Array.isArray(thrown.frames) ? thrown.frames.slice(0, 12).map((f) => mapFrames(String(f))) : [],
    };
    const message: FromSandbox = { t: 'threw', id, error, prints: printed };
    const args = changed(reply['args']);
    if (args) message.args = args;
    if (Array.isArray(reply['states']) && reply['states'].length > 0) message.states = reply['states'] as { path: (string | number)[]; state: Record<string, unknown> }[];
    return message;
  }
  const kind = reply['failure'] as SandboxFailureKind;
  return { t: 'failed', id, kind, message: String(reply['message']).slice(0, 500), prints: printed };
}

/** The implementation files of each exercise (the suites' view): every top-level `.ts` of its folder. */
function exerciseFiles(exercise: string): string[] {
  const prefix = `exercises/${exercise}/`;
  return Object.keys(submission)
    .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
    .map((p) => p.slice(prefix.length));
}

const COPY = { arguments: { copy: true }, result: { copy: true } } as const;

async function handle(request: ToSandbox): Promise<FromSandbox | null> {
  switch (request.t) {
    case 'init':
      baselineRss = process.memoryUsage.rss();
      limits = request.limits;
      bridgeSource = request.bridge;
      kit = request.kit;
      submission = request.submission;
      return { t: 'ready', pid: process.pid };
    case 'load': {
      const target = await exerciseFor(request.exercise, exerciseFiles(request.exercise));
      return { t: 'loaded', id: request.id, files: 'state' in target ? target.state.files : target.failed };
    }
    case 'call':
      return invoke(request.id, { ...request, run: (b, path, args, wall) => b.call.apply(undefined, [path, request.fn, args], { ...COPY, timeout: wall }) }, exerciseFiles(request.exercise));
    case 'gradient':
      return invoke(
        request.id,
        { ...request, run: (b, path, args, wall) => b.gradient.apply(undefined, [path, request.fn, args, request.options], { ...COPY, timeout: wall }) },
        exerciseFiles(request.exercise),
      );
    case 'repeat':
      return invoke(
        request.id,
        { ...request, run: (b, path, args, wall) => b.repeat.apply(undefined, [path, request.fn, args, request.times], { ...COPY, timeout: wall }) },
        exerciseFiles(request.exercise),
      );
    case 'read':
      return invoke(
        request.id,
        { exercise: request.exercise, file: request.file, fn: request.name, args: [], run: (b, path, _args, wall) => b.read.apply(undefined, [path, request.name], { ...COPY, timeout: wall }) },
        exerciseFiles(request.exercise),
      );
    case 'forget':
      for (const state of exercises.values()) if (!state.isolate.isDisposed) await state.bridge.forget.apply(undefined, []).catch(() => {});
      return null;
    default:
      return null;
  }
}

async function main(): Promise<void> {
  for (;;) {
    const request = nextRequest();
    let reply: FromSandbox | null;
    try {
      reply = await handle(request);
    } catch (error) {
      reply = 'id' in request ? { t: 'failed', id: request.id, kind: 'internal', message: `the sandbox failed: ${error instanceof Error ? error.message : String(error)}`, prints: NO_PRINTS } : null;
    }
    if (reply) send(reply);
  }
}

if (process.argv.includes('--probe')) {
  // layers.ts checks that this process can start where it is started: isolated-vm loads and runs.
  const isolate = new ivm.Isolate({ memoryLimit: 16 });
  const two = isolate.createContextSync().evalSync('1 + 1') as unknown;
  writeSync(1, two === 2 ? 'ok\n' : 'no\n');
  process.exit(0);
} else {
  void main();
}
