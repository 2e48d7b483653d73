/**
 * The trusted end of the sandbox, inside a test worker. A suite's `import { f } from './x.ts'`
 * resolves (in remote mode) to a proxy module whose functions call `Session.call`: the arguments
 * are encoded and sent to the sandbox process, the main thread blocks until the reply, and the
 * result comes back as plain data that the suite compares as usual. Suites stay synchronous.
 *
 *   test worker main thread ══request FIFO══▶ sandbox process (runner.ts) ══reply FIFO══▶ back
 *   (transport.ts; a helper thread supervises time, memory and prints: helper.ts)
 *
 * Nothing that comes back is trusted: bodies are deserialized here (never in the sandbox's terms),
 * markers are validated, thrown errors are rebuilt from strings, and every failure of the process
 * (time limit, memory limit, exit, garbage) becomes an error naming the function and the reason.
 */
import { deserialize, serialize } from 'node:v8';
import type { FatalKind } from './helper.ts';
import { readyManifest, remoteManifest, type FileManifest, type RemoteManifest } from './manifest.ts';
import { MARKER, type FromSandbox, type Marker, type ThrownInfo, type ToSandbox } from './protocol.ts';
import { activeTest, MAX_RECORDED_CALLS, recordOutput, type CallRecord, type FailureKind, type FailureNote } from './test-state.ts';
import { trackedRngs, type TrackedRng } from './tracked-random.ts';
import { prepareSpare, readUntil, SandboxProcess, takeSpare } from './transport.ts';

/** An error the grader raises for a call that could not complete normally. */
export class SubmissionError extends Error {
  override readonly name = 'SubmissionError';
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** A value the submission returned that only has meaning inside the sandbox (a function, a Proxy). */
export class SandboxValue {
  readonly #session: Session;
  readonly #id: number;
  readonly #gen: number;
  readonly what: string;

  constructor(session: Session, id: number, gen: number, what: string) {
    this.#session = session;
    this.#id = id;
    this.#gen = gen;
    this.what = what;
    Object.freeze(this);
  }

  /** The handle, for the session that made it. */
  handleFor(session: Session): { id: number; gen: number } | null {
    return session === this.#session ? { id: this.#id, gen: this.#gen } : null;
  }

  toString(): string {
    return `[${this.what}, kept in the sandbox]`;
  }
}

/** Longest array the trusted side decodes from the sandbox (the 64 MB frame limit allows ~8M numbers). */
const MAX_DECODED_NODES = 10_000_000;

/** Trusted copies of class instances the submission returned, and the handle of the original. */
const handleOf = new WeakMap<object, { session: Session; id: number; gen: number }>();

/** Where each object in a recorded result came from, for replaying calls in diagnoses. */
export const provenance = new WeakMap<object, { record: CallRecord; path: (string | number)[] }>();

/** A generator's seed and position at the time of a call. */
export class RngSnapshot {
  constructor(
    readonly seed: string,
    readonly drawn: number,
  ) {}
}

interface CallContext {
  callbacks: ((...args: unknown[]) => unknown)[];
  rngs: TrackedRng[];
  /** While encoding a callback's result: where each object of the callback's arguments sits. */
  argPaths?: WeakMap<object, (string | number)[]>;
}

/** Notes the path of every object in a callback's arguments (a few levels deep). */
function argumentPaths(args: unknown[]): WeakMap<object, (string | number)[]> {
  const paths = new WeakMap<object, (string | number)[]>();
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (value === null || typeof value !== 'object' || paths.has(value) || path.length > 6) return;
    paths.set(value, path);
    if (ArrayBuffer.isView(value)) return;
    if (Array.isArray(value)) value.slice(0, 64).forEach((v, i) => walk(v, [...path, i]));
    else for (const key of Object.keys(value).slice(0, 64)) walk((value as Record<string, unknown>)[key], [...path, key]);
  };
  args.forEach((a, i) => walk(a, [i]));
  return paths;
}

const BUILTIN_ERRORS: Record<string, new (message: string) => Error> = {
  Error,
  RangeError,
  TypeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

const sessions = new Map<string, Session>();

/**
 * The session of one exercise (one sandbox process, started on first use). In a grading run it
 * serves every suite of its exercise in turn (see `beginFile`); elsewhere it lives until
 * `closeSessions`.
 */
export function sessionFor(exercise: string): Session {
  let session = sessions.get(exercise);
  if (!session) {
    session = new Session(exercise, remoteManifest());
    sessions.set(exercise, session);
  }
  return session;
}

/**
 * A function of the submission, as a suite imports it: it finds its exercise's session at each
 * call, so a proxy module that outlives a test file (vitest without isolation) uses the current
 * session, never a closed one.
 */
export function remoteFunction(exercise: string, file: string, fn: string): (...args: unknown[]) => unknown {
  const proxy = (...args: unknown[]): unknown => sessionFor(exercise).call(file, fn, args);
  Object.defineProperty(proxy, 'name', { value: fn });
  return proxy;
}

// ---------------------------------------------------------------------------------------------
// Sandbox lifetimes in a grading run (setup.ts calls these around every test file)
//
// The grader runs each lane's suites in one test worker, in the order of the manifest's plan:
// exercise by exercise, public suite then hidden suite (plan.ts). One sandbox process serves both
// suites of an exercise (it boots once, and the hidden suite runs in code the public suite has
// already warmed up), and the next exercise's process boots as a spare while the current
// exercise's suites run. Each test file still starts with its own bookkeeping (strikes, the
// timeout budget, modules that failed to load are tried again): only the process and the modules
// it has loaded carry over. A process that died (time limit, memory, exit) is replaced as before.
// ---------------------------------------------------------------------------------------------

/**
 * How much more memory than when it was ready a process may hold and still serve the next test
 * file, as a share of the memory limit.
 */
const REUSE_MEMORY_SHARE = 0.1;

/** The exercise a suite belongs to: `exercises/03-batchnorm/…` or `grader/hidden/03-batchnorm/…`. */
export function exerciseOfSuite(path: string): string | undefined {
  return /(?:^|[/\\])(?:grader[/\\]exercises|exercises)[/\\]([0-9]{2}-[a-z0-9-]+)[/\\]/.exec(path)?.[1];
}

/**
 * The suites after `path` in its lane of the plan (kit-relative), or null when the manifest has no
 * plan for it.
 */
function suitesAfter(manifest: RemoteManifest, path: string): string[] | null {
  const normalized = path.replace(/\\/g, '/');
  for (const lane of manifest.plan ?? []) {
    const at = lane.findIndex((suite) => normalized === suite || normalized.endsWith(`/${suite}`));
    if (at >= 0) return lane.slice(at + 1);
  }
  return null;
}

/**
 * Whether a spare process is worth booting while `path` runs: a later suite needs an exercise
 * that has no session yet (always, without a plan: the next file may need one).
 */
function spareNeededAfter(manifest: RemoteManifest, path: string): boolean {
  const later = suitesAfter(manifest, path);
  return later === null || later.some((suite) => !sessions.has(exerciseOfSuite(suite) ?? ''));
}

/**
 * Before a test file's tests: its exercise's session starts a new file's bookkeeping and its
 * process (taken over from the previous suite, else a spare or a new one) loads every submitted
 * module ahead of the first call; a spare starts booting for the next exercise (best effort).
 */
export function beginFile(path: string): void {
  const exercise = exerciseOfSuite(path);
  try {
    const manifest = remoteManifest();
    if (!exercise || !manifest.exercises[exercise]) return;
    const session = sessionFor(exercise);
    session.beginFile();
    session.prewarm(spareNeededAfter(manifest, path));
  } catch {
    /* the first call reports whatever went wrong */
  }
}

/**
 * After a test file: keeps the session the next planned suite needs (the hidden suite after the
 * public one) and stops every other sandbox; makes sure the next exercise has a spare booting.
 */
export function endFile(path: string): void {
  let manifest: RemoteManifest;
  try {
    manifest = remoteManifest();
  } catch {
    closeSessions();
    return;
  }
  const later = suitesAfter(manifest, path);
  if (later === null) {
    closeSessions();
    return;
  }
  const next = later.length > 0 ? exerciseOfSuite(later[0]!) : undefined;
  for (const [exercise, session] of sessions) {
    if (exercise === next && session.reusable()) continue;
    session.close();
    sessions.delete(exercise);
  }
  if (next !== undefined && !sessions.has(next)) warmUp();
}

/** Stops every sandbox, and starts a spare for whatever comes next. */
export function closeSessions(): void {
  for (const session of sessions.values()) session.close();
  sessions.clear();
  warmUp();
}

/**
 * Starts a spare sandbox process for this worker's next test file (best effort), unless a
 * session is already serving it.
 */
export function warmUp(): void {
  if (sessions.size > 0) return;
  try {
    prepareSpare(remoteManifest());
  } catch {
    /* the first call reports whatever went wrong */
  }
}

const seconds = (ms: number): string => `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

/** A sandbox process for one exercise, and the proxies' way to call into it. */
export class Session {
  readonly exercise: string;
  #manifest: RemoteManifest;
  #proc: SandboxProcess | null = null;
  /** Whether the process's ready frame has been read (loads may be queued behind it). */
  #ready = false;
  /** The process's resident memory when it was ready, in MB: what a fresh process starts with. */
  #readyMb: number | null = null;
  #gen = 0;
  #nextId = 1;
  readonly #loaded = new Map<string, Record<string, string>>();
  /** Loads sent ahead (prewarm) whose replies have not been read yet: id → module. */
  readonly #pendingLoads = new Map<number, string>();
  /** Modules that cannot load in any process: the failure is repeated without trying again. */
  readonly #brokenModules = new Map<string, SubmissionError>();
  readonly #strikes = new Map<string, { count: number; error: SubmissionError }>();
  #timeoutSpentMs = 0;
  #releases: number[] = [];
  readonly #registry = new FinalizationRegistry<{ id: number; gen: number }>((h) => {
    if (h.gen === this.#gen) this.#releases.push(h.id);
  });

  constructor(exercise: string, manifest: RemoteManifest) {
    this.exercise = exercise;
    this.#manifest = manifest;
  }

  /** Runs `fn` of `file` in the sandbox with `args` and returns its result as trusted data. */
  call(file: string, fn: string, args: unknown[]): unknown {
    const test = activeTest();
    const count = (test?.callCounts.get(fn) ?? 0) + 1;
    test?.callCounts.set(fn, count);
    const record: CallRecord | null =
      test && count <= MAX_RECORDED_CALLS ? { exercise: this.exercise, file, fn, args: snapshotArgs(args), failed: false } : null;
    if (record) test!.calls.push(record);
    try {
      const result = this.#call(file, fn, args);
      if (record) {
        record.result = result;
        notePaths(result, record, [], 0);
      }
      return result;
    } catch (error) {
      if (record) record.failed = true;
      if (test) test.failures.push(failureNote(error, fn));
      throw error;
    } finally {
      this.#collectOutput();
    }
  }

  /** A stand-in for an export the grader cannot proxy (a class): every use fails with the reason. */
  unsupported(name: string, what: string): (...args: unknown[]) => never {
    return () => {
      throw new SubmissionError('crash', `the grader cannot run ${what} export (${name}) in the sandbox`);
    };
  }

  /** Reads an exported value (not a function) once; undefined when it cannot be read. */
  value(file: string, name: string): unknown {
    try {
      return this.#call(file, name, [], true);
    } catch {
      return undefined;
    }
  }

  /** The manifest with file statuses, once the submission is transpiled. */
  #readyManifest(): RemoteManifest {
    if (!this.#manifest.ready) {
      try {
        this.#manifest = readyManifest();
      } catch (error) {
        throw new SubmissionError('crash', `the grader could not prepare the submission: ${(error as Error).message}`);
      }
    }
    if (this.#manifest.failed) throw new SubmissionError('crash', `the grader could not prepare the submission: ${this.#manifest.failed}`);
    return this.#manifest;
  }

  /**
   * A new test file begins: what the session learned about the submission's behaviour starts
   * afresh (strikes, the timeout budget, modules that failed to load), as if the file had a new
   * session; the process and the modules it has loaded stay.
   */
  beginFile(): void {
    this.#strikes.clear();
    this.#brokenModules.clear();
    this.#timeoutSpentMs = 0;
  }

  /**
   * Starts the process (unless it runs already) and sends the loads of every submitted file,
   * without waiting; with `spare`, another process boots for the next exercise meanwhile.
   */
  prewarm(spare = true): void {
    if (this.#proc) return;
    this.#readyManifest();
    this.#ensureAlive(false);
    if (spare) prepareSpare(this.#manifest);
    for (const entry of Object.values(this.#manifest.exercises[this.exercise]?.files ?? {})) {
      if (entry.status !== 'ok' || this.#loaded.has(entry.sandboxPath)) continue;
      const id = this.#nextId++;
      if (!this.#proc!.send({ t: 'load', id, module: entry.sandboxPath })) return;
      this.#pendingLoads.set(id, entry.sandboxPath);
    }
  }

  close(): void {
    this.#proc?.close();
    this.#markDead();
  }

  #collectOutput(): void {
    const out = this.#proc?.takeOutput();
    if (out) recordOutput(out.stdout, out.stderr, out.bytes);
  }

  #fileManifest(file: string): FileManifest {
    const entry = this.#readyManifest().exercises[this.exercise]?.files[file];
    if (!entry) throw new SubmissionError('crash', `the grader knows no file ${file} in exercise ${this.exercise}`);
    return entry;
  }

  #call(file: string, fn: string, args: unknown[], read = false): unknown {
    const entry = this.#fileManifest(file);
    const display = `exercises/${this.exercise}/${file}`;
    if (entry.status === 'missing') {
      const error = new Error(`not implemented yet: ${fn} (${display} was not submitted)`);
      error.name = 'NotImplementedError';
      throw Object.assign(error, { gradlabKind: 'not-submitted' });
    }
    if (entry.status === 'compile-error') throw new SubmissionError('compile', `${display} does not compile: ${entry.error ?? 'syntax error'}`);
    const struck = this.#strikes.get(fn);
    if (struck && struck.count >= this.#manifest.strikes) {
      throw new SubmissionError(struck.error.kind, `${struck.error.message} (on earlier calls; not run again)`);
    }
    if (this.#timeoutSpentMs >= this.#manifest.timeoutBudgetMs) {
      throw new SubmissionError('timeout', `${fn} was not run: earlier calls in this suite used up the time allowed for timeouts`);
    }
    this.#ensureAlive();
    this.#ensureLoaded(entry.sandboxPath, display);
    const proc = this.#proc!;

    const context: CallContext = { callbacks: [], rngs: [] };
    const encoded = this.#encode(args, context, new Map());
    const body = serializeOrThrow({ args: encoded }, fn);
    this.#flushReleases();
    const id = this.#nextId++;
    const started = Date.now();
    proc.startClock(this.#manifest.callMs);
    proc.send({ t: 'call', id, module: entry.sandboxPath, fn, gen: this.#gen, ...(read ? { read: true } : {}) }, body);
    for (;;) {
      const frame = proc.read();
      if (!frame) throw this.#fatal(fn, 'during', started);
      const { header } = frame;
      if (!isFrameFor(header, id)) continue;
      switch (header.t) {
        case 'callback':
          proc.pauseClock();
          this.#runCallback(id, header.index, frame.body, context);
          continue;
        case 'return': {
          proc.stopClock();
          const decoded = this.#decodeBody(frame.body, fn) as { value?: unknown; args?: unknown };
          const rng = Array.isArray(header.rng) ? header.rng : [];
          context.rngs.forEach((r, i) => {
            const consumed = rng[i];
            if (typeof consumed === 'number' && Number.isInteger(consumed) && consumed >= 0 && consumed < 1e9) r.advance(consumed);
          });
          if (header.writeback === true && Array.isArray(decoded.args)) writeBack(args, decoded.args, 0);
          return decoded.value;
        }
        case 'throw': {
          proc.stopClock();
          const thrown = this.#decodeBody(frame.body, fn) as { args?: unknown };
          if (Array.isArray(thrown.args)) writeBack(args, thrown.args, 0);
          throw rebuildThrown(thrown, fn);
        }
        case 'fail':
          proc.stopClock();
          throw new SubmissionError(failKind(header.kind), typeof header.message === 'string' ? header.message : `${fn} failed in the sandbox`);
        default:
          continue;
      }
    }
  }

  #runCallback(id: number, index: unknown, body: Uint8Array | null, context: CallContext): void {
    const callback = typeof index === 'number' ? context.callbacks[index] : undefined;
    let reply: ToSandbox;
    let replyBody: Uint8Array | undefined;
    try {
      if (!callback) throw new Error('unknown callback');
      const decoded = this.#decodeBody(body, 'a callback') as { args?: unknown };
      const args = Array.isArray(decoded.args) ? decoded.args : [];
      const value = callback(...args);
      const encoded = this.#encode(value, { ...context, argPaths: argumentPaths(args) }, new Map());
      replyBody = serializeOrThrow({ value: encoded }, 'a callback');
      reply = { t: 'cbreturn', id };
    } catch (error) {
      reply = { t: 'cbthrow', id, message: error instanceof Error ? error.message : String(error) };
    }
    this.#proc?.resumeClock();
    this.#proc?.send(reply, replyBody);
  }

  /** The error for a call during which the process died; counts a strike against `fn`. */
  #fatal(fn: string, when: 'during' | 'while loading', started: number): SubmissionError {
    const death = this.#proc?.death ?? { kind: 'exit' as const, detail: 'the process stopped answering' };
    this.#proc?.close();
    this.#markDead();
    const kind: FailureKind = fatalKind(death.kind);
    let text: string;
    switch (death.kind) {
      case 'timeout':
        this.#timeoutSpentMs += Date.now() - started;
        text = `${fn} ${death.detail}`;
        break;
      case 'memory':
      case 'output':
        text = `${fn} ${death.detail}`;
        break;
      case 'exit':
        text = `the process exited ${when} ${fn} (${death.detail.replace(/^the process /, '')}; process.exit or a crash)`;
        break;
      default:
        text = `the sandbox failed ${when} ${fn}: ${death.detail}`;
    }
    const error = new SubmissionError(kind, text);
    const strike = this.#strikes.get(fn);
    this.#strikes.set(fn, { count: (strike?.count ?? 0) + 1, error });
    return error;
  }

  #markDead(): void {
    this.#proc = null;
    this.#ready = false;
    this.#readyMb = null;
    this.#loaded.clear();
    this.#pendingLoads.clear();
    this.#releases = [];
  }

  /** Makes sure a process runs (a spare if there is one); waits for it to be ready unless told not to. */
  #ensureAlive(wait = true): void {
    if (!this.#proc) {
      let proc: SandboxProcess;
      try {
        proc = takeSpare(this.#manifest) ?? SandboxProcess.start(this.#manifest);
        proc.connect();
      } catch (error) {
        throw new SubmissionError('crash', `the grader could not start a sandbox: ${(error as Error).message}`);
      }
      this.#gen += 1;
      this.#proc = proc;
      this.#ready = false;
    }
    if (wait) this.#awaitReady();
  }

  #awaitReady(): void {
    const proc = this.#proc!;
    if (this.#ready) return;
    proc.startClock(this.#manifest.limits.startMs);
    const ready = readUntil(proc, (f) => f.header.t === 'ready', () => {});
    proc.stopClock();
    if (!ready) {
      const death = proc.death;
      proc.close();
      this.#markDead();
      throw new SubmissionError('crash', `the grader could not start a sandbox: ${death?.detail ?? 'no answer'}`);
    }
    this.#ready = true;
    this.#readyMb = proc.residentMb();
  }

  /**
   * Whether the process may serve the next test file: it lives, and what it holds beyond a fresh
   * process is a small share of the memory limit, so the next file's tests meet the limit as they
   * would in a new process (a submission that printed or leaked megabytes gets a new one).
   */
  reusable(): boolean {
    const proc = this.#proc;
    if (!proc || proc.death || !this.#ready || this.#readyMb === null) return false;
    const now = proc.residentMb();
    return now !== null && now - this.#readyMb <= REUSE_MEMORY_SHARE * this.#manifest.limits.memoryMb;
  }

  #ensureLoaded(sandboxPath: string, display: string): void {
    const broken = this.#brokenModules.get(sandboxPath);
    if (broken) throw new SubmissionError(broken.kind, broken.message);
    if (this.#loaded.has(sandboxPath)) return;
    const proc = this.#proc!;
    let id = [...this.#pendingLoads].find(([, path]) => path === sandboxPath)?.[0];
    if (id === undefined) {
      id = this.#nextId++;
      proc.send({ t: 'load', id, module: sandboxPath });
      this.#pendingLoads.set(id, sandboxPath);
    }
    const started = Date.now();
    proc.startClock(this.#manifest.loadMs);
    for (;;) {
      const frame = proc.read();
      if (!frame) {
        const death = proc.death;
        const error = this.#fatal(display, 'while loading', started);
        const text =
          death?.kind === 'timeout'
            ? `loading ${display} timed out after ${seconds(this.#manifest.loadMs)} (its top-level code never finished)`
            : death?.kind === 'memory'
              ? `loading ${display} ${death.detail}`
              : error.message;
        const permanent = new SubmissionError(error.kind, text);
        this.#brokenModules.set(sandboxPath, permanent);
        throw permanent;
      }
      const { header } = frame;
      if (!('id' in header)) continue;
      const path = this.#pendingLoads.get(header.id);
      if (path === undefined) continue;
      this.#pendingLoads.delete(header.id);
      if (header.t === 'loaded' && typeof header.exports === 'object' && header.exports !== null) {
        this.#loaded.set(path, { ...header.exports });
      } else {
        const message = header.t === 'fail' && typeof header.message === 'string' ? header.message : `${displayOf(path)} could not be loaded`;
        this.#brokenModules.set(path, new SubmissionError(header.t === 'fail' ? failKind(header.kind) : 'load', message));
      }
      if (header.id === id) {
        proc.stopClock();
        const failure = this.#brokenModules.get(sandboxPath);
        if (failure) throw new SubmissionError(failure.kind, failure.message);
        return;
      }
    }
  }

  #flushReleases(): void {
    if (this.#releases.length === 0) return;
    const handles = this.#releases;
    this.#releases = [];
    this.#proc?.send({ t: 'release', handles });
  }

  #decodeBody(body: Uint8Array | null, fn: string): unknown {
    if (!body) return {};
    let raw: unknown;
    try {
      raw = deserialize(body);
    } catch (error) {
      throw new SubmissionError('output', `${fn} returned data the grader cannot read (${(error as Error).message})`);
    }
    return this.#decode(raw, new Map(), 0);
  }

  /** Turns data from the sandbox into trusted values: markers become handles, the rest is copied as is. */
  #decode(value: unknown, memo: Map<unknown, unknown>, depth: number): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (depth > 500) throw new SubmissionError('output', 'the result is nested too deeply');
    if (memo.has(value)) return memo.get(value);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
    if (Array.isArray(value)) {
      // A forged frame can hold a sparse array of length 2³² − 1 in a few bytes: never walk one.
      if (value.length > MAX_DECODED_NODES) throw new SubmissionError('output', `the result holds an array of ${value.length} elements`);
      const out: unknown[] = [];
      memo.set(value, out);
      for (let i = 0; i < value.length; i++) out.push(this.#decode(value[i], memo, depth + 1));
      return out;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) {
      // Map, Set, Date, … as copied; a Map or Set is no cheaper to forge than its size in bytes.
      return value;
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === MARKER) return this.#decodeMarker((value as Record<string, unknown>)[MARKER], memo, depth);
    const out: Record<string, unknown> = {};
    memo.set(value, out);
    for (const key of keys) setOwn(out, key, this.#decode((value as Record<string, unknown>)[key], memo, depth + 1));
    return out;
  }

  #decodeMarker(raw: unknown, memo: Map<unknown, unknown>, depth: number): unknown {
    const marker = raw as Partial<Marker> | null;
    if (marker === null || typeof marker !== 'object') return undefined;
    if (marker.kind === 'handle' && typeof marker.id === 'number' && Number.isInteger(marker.id)) {
      const what = typeof marker.what === 'string' ? marker.what.slice(0, 100) : 'a value';
      const data = (marker as { data?: unknown }).data;
      if (data !== null && typeof data === 'object' && Object.getPrototypeOf(data) === Object.prototype) {
        const copy = this.#decode(data, memo, depth + 1) as object;
        handleOf.set(copy, { session: this, id: marker.id, gen: this.#gen });
        this.#registry.register(copy, { id: marker.id, gen: this.#gen });
        return copy;
      }
      const ref = new SandboxValue(this, marker.id, this.#gen, what);
      this.#registry.register(ref, { id: marker.id, gen: this.#gen });
      return ref;
    }
    if (marker.kind === 'unsupported') return undefined;
    return undefined;
  }

  /** Encodes trusted values for the sandbox: functions become callbacks, generators are replicated. */
  #encode(value: unknown, context: CallContext, memo: Map<unknown, unknown>): unknown {
    switch (typeof value) {
      case 'symbol':
        throw new TypeError('a symbol cannot be passed to the submission');
      case 'function': {
        const index = context.callbacks.push(value as (...args: unknown[]) => unknown) - 1;
        return { [MARKER]: { kind: 'callback', index, name: (value as { name?: string }).name || 'callback' } satisfies Marker };
      }
      case 'object':
        break;
      default:
        return value;
    }
    if (value === null) return null;
    if (memo.has(value)) return memo.get(value);
    const argPath = context.argPaths?.get(value);
    if (argPath) return { [MARKER]: { kind: 'argref', path: argPath } satisfies Marker };
    if (value instanceof SandboxValue) {
      const handle = value.handleFor(this);
      if (!handle) throw new SubmissionError('stale', `${value.what} from another exercise's sandbox cannot be passed here`);
      if (handle.gen !== this.#gen) throw staleError();
      return { [MARKER]: { kind: 'handle', id: handle.id, gen: handle.gen, what: value.what } satisfies Marker };
    }
    const handle = handleOf.get(value);
    if (handle && handle.session === this) {
      if (handle.gen !== this.#gen) throw staleError();
      return { [MARKER]: { kind: 'handle', id: handle.id, gen: handle.gen, what: 'an object' } satisfies Marker };
    }
    const tracked = trackedRngs.get(value);
    if (tracked) {
      context.rngs.push(tracked);
      return { [MARKER]: { kind: 'rng', seed: tracked.seed, drawn: tracked.drawn() } satisfies Marker };
    }
    if (value instanceof RngSnapshot) {
      return { [MARKER]: { kind: 'rng', seed: value.seed, drawn: value.drawn } satisfies Marker };
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
    if (value instanceof Map || value instanceof Set || value instanceof Date || value instanceof RegExp) return value;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      memo.set(value, out);
      for (const item of value) out.push(this.#encode(item, context, memo));
      return out;
    }
    const out: Record<string, unknown> = {};
    memo.set(value, out);
    for (const key of Object.keys(value)) setOwn(out, key, this.#encode((value as Record<string, unknown>)[key], context, memo));
    return out;
  }
}

/** Sets an own data property; `__proto__` from the sandbox stays a key, never a prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function staleError(): SubmissionError {
  return new SubmissionError('stale', 'a value that your code returned earlier is no longer available: its sandbox was restarted after a failure');
}

function displayOf(sandboxPath: string): string {
  return sandboxPath.replace(/\.js$/, '.ts');
}

function isFrameFor(header: FromSandbox, id: number): boolean {
  return typeof header === 'object' && header !== null && 'id' in header && header.id === id;
}

function serializeOrThrow(value: unknown, fn: string): Uint8Array {
  try {
    return serialize(value);
  } catch (error) {
    throw new TypeError(`${fn}: the arguments cannot be sent to the submission (${(error as Error).message})`);
  }
}

function fatalKind(kind: FatalKind): FailureKind {
  switch (kind) {
    case 'timeout':
      return 'timeout';
    case 'memory':
      return 'memory';
    case 'exit':
      return 'exit';
    case 'output':
      return 'output';
    default:
      return 'crash';
  }
}

function failKind(kind: unknown): FailureKind {
  const known: FailureKind[] = ['not-implemented', 'threw', 'missing-export', 'compile', 'load', 'access', 'memory', 'output', 'stale'];
  return known.includes(kind as FailureKind) ? (kind as FailureKind) : 'crash';
}

/** Rebuilds what the submission threw as an error of the trusted realm, from strings only. */
function rebuildThrown(raw: unknown, fn: string): Error {
  const info = (raw ?? {}) as Partial<ThrownInfo>;
  const text = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');
  const message = text(info.message, 4000);
  if (info.form !== 'error') {
    return new SubmissionError('threw', `${fn} threw ${message || 'a value'}, which is not an Error`);
  }
  const builtin = typeof info.builtin === 'string' && info.builtin in BUILTIN_ERRORS ? info.builtin : 'Error';
  const Ctor = BUILTIN_ERRORS[builtin]!;
  const error = new Ctor(message);
  const name = text(info.name, 100) || builtin;
  if (name !== builtin) Object.defineProperty(error, 'name', { value: name, enumerable: false, writable: true, configurable: true });
  const frames = Array.isArray(info.frames) ? info.frames.filter((f): f is string => typeof f === 'string').slice(0, 8) : [];
  error.stack = `${name}: ${message}${frames.map((f) => `\n    ${f.slice(0, 300)}`).join('')}`;
  return error;
}

function failureNote(error: unknown, fn: string): FailureNote {
  if (error instanceof SubmissionError) return { kind: error.kind, fn, message: error.message, errorName: error.name, errorMessage: error.message };
  if (error instanceof Error) {
    const kind = (error as { gradlabKind?: FailureKind }).gradlabKind ?? (error.name === 'NotImplementedError' ? 'not-implemented' : 'threw');
    return { kind, fn, message: `${fn} threw ${error.name}: ${error.message}`, errorName: error.name, errorMessage: error.message };
  }
  return { kind: 'threw', fn, message: `${fn} threw ${String(error)}` };
}

/** Copies arguments at call time: later mutations by the test must not change what was recorded. */
function snapshotArgs(args: unknown[]): unknown[] {
  const memo = new Map<unknown, unknown>();
  const copy = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object' || depth > 50) return v;
    if (memo.has(v)) return memo.get(v);
    const tracked = trackedRngs.get(v);
    if (tracked) return new RngSnapshot(tracked.seed, tracked.drawn());
    if (v instanceof SandboxValue || handleOf.has(v) || provenance.has(v)) return v;
    if (v instanceof Float64Array) return v.slice();
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      memo.set(v, out);
      for (const item of v) out.push(copy(item, depth + 1));
      return out;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v;
    const out: Record<string, unknown> = {};
    memo.set(v, out);
    for (const key of Object.keys(v)) out[key] = copy((v as Record<string, unknown>)[key], depth + 1);
    return out;
  };
  return args.map((a) => copy(a, 0));
}

function notePaths(value: unknown, record: CallRecord, path: (string | number)[], depth: number): void {
  if (value === null || typeof value !== 'object' || depth > 3 || provenance.has(value)) return;
  provenance.set(value, { record, path });
  if (ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) {
    value.slice(0, 64).forEach((v, i) => notePaths(v, record, [...path, i], depth + 1));
    return;
  }
  for (const key of Object.keys(value).slice(0, 64)) notePaths((value as Record<string, unknown>)[key], record, [...path, key], depth + 1);
}

/**
 * Applies the submission's changes to its arguments to the caller's objects, so that a function
 * that mutates its inputs is seen doing so (suites check that inputs stay untouched).
 */
function writeBack(original: unknown, fresh: unknown, depth: number): void {
  if (depth > 50 || original === null || typeof original !== 'object' || fresh === null || typeof fresh !== 'object') return;
  if (trackedRngs.has(original) || original instanceof SandboxValue || handleOf.has(original)) return;
  try {
    if (ArrayBuffer.isView(original) && !(original instanceof DataView)) {
      const o = original as unknown as { length: number; [i: number]: number | bigint; constructor: unknown };
      const f = fresh as unknown as { length: number; [i: number]: number | bigint; constructor: unknown };
      if (!ArrayBuffer.isView(fresh) || o.constructor !== f.constructor || o.length !== f.length) return;
      for (let i = 0; i < o.length; i++) if (!Object.is(o[i], f[i])) o[i] = f[i]!;
      return;
    }
    if (Array.isArray(original)) {
      if (!Array.isArray(fresh) || Object.isFrozen(original)) return;
      for (let i = 0; i < fresh.length; i++) {
        const o: unknown = original[i];
        const f: unknown = fresh[i];
        if (o !== null && typeof o === 'object') writeBack(o, f, depth + 1);
        else if (!Object.is(o, f) && (f === null || typeof f !== 'object')) original[i] = f;
      }
      if (fresh.length < original.length) original.length = fresh.length;
      return;
    }
    const proto = Object.getPrototypeOf(original) as unknown;
    if ((proto !== Object.prototype && proto !== null) || Object.isFrozen(original)) return;
    const o = original as Record<string, unknown>;
    const f = fresh as Record<string, unknown>;
    for (const key of Object.keys(f)) {
      const a = o[key];
      const b = f[key];
      if (a !== null && typeof a === 'object') writeBack(a, b, depth + 1);
      else if (!Object.hasOwn(o, key) || (!Object.is(a, b) && (b === null || typeof b !== 'object'))) {
        if (typeof a !== 'function') Object.defineProperty(o, key, { value: b, enumerable: true, writable: true, configurable: true });
      }
    }
    for (const key of Object.keys(o)) if (!Object.hasOwn(f, key) && typeof o[key] !== 'function') delete o[key];
  } catch {
    /* a frozen or exotic argument: leave it as it was */
  }
}
