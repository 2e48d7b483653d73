/**
 * The trusted end of the sandbox, in a vitest test worker. A suite's `import { f } from './x.ts'`
 * resolves (in the grader) to a proxy module (proxies.ts) whose functions call `Sandbox.call`: the
 * arguments are copied to the sandbox process, the test blocks until the reply, and the result
 * comes back as plain data the suite compares as usual. Suites stay synchronous.
 *
 *   test worker ──request FIFO──▶ sandbox process (host.ts) ──▶ V8 isolate (bridge.ts + submission)
 *               ◀──reply FIFO────
 *
 * One sandbox process per submission, started and watched by the grading process
 * (grader/supervisor.ts); the plan (grader/plan.ts) gives this worker its FIFOs as file descriptors
 * of the process it shares with the grading thread. Nothing that comes back is
 * trusted: markers are validated, thrown errors are rebuilt from strings, and every way the
 * process can fail becomes a SubmissionError naming the function and the reason.
 */
import { readSync, writeSync } from 'node:fs';
import { deserialize } from 'node:v8';
import { MAX_PLAIN_VALUES, MAX_TYPED_VALUES, TOO_MANY_PLAIN, TOO_MANY_TYPED } from '../shared/limits.ts';
import { inject } from 'vitest';
import { advanceRng, drawsOf, type Rng } from '../../lib/random.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { describeTestFunction, restoreTestFunctionState, testFunctionState, type TestFunctionState } from '../../lib/testing/functions.ts';
import type { NumericalGradientOptions } from '../../lib/testing/gradcheck.ts';
import { PLAN_KEY, type Plan } from '../plan.ts';
import { encodeFrame, MARKER, MAX_FRAME_BYTES, type FromSandbox, type GradientOptions, type LoadedFile, type Marker, type Prints, type ThrownInfo, type ToSandbox } from '../shared/protocol.ts';
import { activeTest, MAX_RECORDED_CALLS, recordOutput, type CallRecord, type FailureKind, type FailureNote } from './records.ts';

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

/** A value the submission returned that only has meaning in the sandbox (a closure, a class instance). */
export class SandboxValue {
  readonly #sandbox: Sandbox;
  readonly #id: number;
  readonly what: string;

  constructor(sandbox: Sandbox, id: number, what: string, data: Record<string, unknown> | undefined) {
    this.#sandbox = sandbox;
    this.#id = id;
    this.what = what;
    // Its own data, readable (a class instance's fields); its behaviour stays in the sandbox.
    if (data) for (const [key, value] of Object.entries(data)) if (!(key in this)) Object.defineProperty(this, key, { value, enumerable: true });
    Object.freeze(this);
  }

  /** The handle, for the sandbox that made it; null for any other. */
  handleFor(sandbox: Sandbox): number | null {
    return sandbox === this.#sandbox ? this.#id : null;
  }

  toString(): string {
    return `[${this.what}, kept in the sandbox]`;
  }
}

/** Where each object of a recorded result came from, for replaying calls in diagnoses. */
export const provenance = new WeakMap<object, { record: CallRecord; path: (string | number)[] }>();

/** A generator's seed and position at the time of a call (in recorded arguments). */
export class RngSnapshot {
  constructor(
    readonly seed: string,
    readonly drawn: number,
  ) {}
}

const BUILTIN_ERRORS: Record<string, new (message: string) => Error> = { Error, RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError };

/** The plan of the submission being graded (provided by the grader), or undefined outside a grading. */
export function currentPlan(): Plan | undefined {
  try {
    return inject(PLAN_KEY);
  } catch {
    return undefined;
  }
}

let live: Sandbox | null = null;

/** The sandbox of the current plan, started on first use; the previous submission's is stopped. */
export function sandbox(): Sandbox {
  const plan = currentPlan();
  if (!plan) throw new Error('the grader has not provided a plan: remote mode runs only under `npm run grade`');
  if (live?.plan.id !== plan.id) {
    live?.close();
    live = new Sandbox(plan);
  }
  return live;
}

/** Stops the sandbox process, if one runs (the grader's tests call this between submissions). */
export function closeSandbox(): void {
  live?.close();
  live = null;
}

/** What the sandbox process became when its reply FIFO closed. */
interface Death {
  kind: 'timeout' | 'memory' | 'exit' | 'crash';
  message: string;
}

export class Sandbox {
  readonly plan: Plan;
  #started = false;
  #nextId = 1;
  #death: Death | null = null;
  readonly #exercises = new Map<string, Record<string, LoadedFile>>();

  constructor(plan: Plan) {
    this.plan = plan;
  }

  // -------------------------------------------------------------------------------------------
  // The process (started and watched by the grading process, grader/supervisor.ts)
  // -------------------------------------------------------------------------------------------

  /** Sends the submission's sources: the first frame the process reads. */
  #start(): void {
    if (this.#started || this.#death) return;
    this.#started = true;
    const { bridge, kit, submission, limits } = this.plan.sandbox;
    const ready = this.#exchange({ t: 'init', limits, bridge, kit, submission });
    if (ready?.t !== 'ready') throw this.#deathError('while starting');
  }

  /** This worker is done with the sandbox (the grading process stops the process itself). */
  close(): void {
    this.#death ??= { kind: 'exit', message: 'the sandbox was closed' };
  }

  /** Sends one request and waits for its reply; null when the process ended instead. */
  #exchange(message: ToSandbox): FromSandbox | null {
    if (this.#death) return null;
    const { request, reply } = this.plan.sandbox.fds;
    const frame = encodeFrame(message);
    if (frame.length - 4 > MAX_FRAME_BYTES) {
      // Arguments made of the submission's own earlier results can add up past what the sandbox
      // reads in one request: this call fails, the sandbox never sees it.
      const fn = 'fn' in message ? message.fn : 'the request';
      throw new SubmissionError('output', `${fn} could not be called: its arguments (results of earlier calls among them) come to ${(frame.length / (1024 * 1024)).toFixed(0)} MB, over the ${MAX_FRAME_BYTES / (1024 * 1024)} MB a call may carry into the sandbox`);
    }
    try {
      for (let offset = 0; offset < frame.length; ) offset += writeSync(request, frame, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') return this.#broken(`the request could not be sent: ${(error as Error).message}`);
      // No reader: the process has ended, and its `died` frame waits in the reply FIFO.
    }
    if (!('id' in message) && message.t !== 'init') return null;
    try {
      const head = this.#read(reply, 4);
      if (!head) return this.#broken('the sandbox process stopped');
      const length = head.readUInt32LE(0);
      // The sandbox refuses results over resultBytes and bounds prints by outputBytes: a frame
      // larger than both together is not one it should send.
      const { resultBytes, outputBytes } = this.plan.sandbox.limits;
      if (length > Math.min(MAX_FRAME_BYTES, resultBytes + outputBytes + 65_536)) return this.#broken(`the sandbox sent a frame of ${length} bytes`);
      const body = this.#read(reply, length);
      if (!body) return this.#broken('the sandbox process stopped while answering');
      const answer = deserialize(body) as FromSandbox;
      if (answer?.t === 'died') {
        this.#death = { kind: deathKind(answer.kind), message: String(answer.message).slice(0, 300) };
        return null;
      }
      return answer;
    } catch (error) {
      return this.#broken(`the sandbox's reply could not be read: ${(error as Error).message}`);
    }
  }

  #read(fd: number, length: number): Buffer | null {
    const buffer = Buffer.allocUnsafe(length);
    for (let offset = 0; offset < length; ) {
      const n = readSync(fd, buffer, offset, length - offset, null);
      if (n === 0) return null;
      offset += n;
    }
    return buffer;
  }

  #broken(message: string): null {
    this.#death ??= { kind: 'crash', message };
    return null;
  }

  #deathError(when: string): SubmissionError {
    const death = this.#death ?? { kind: 'crash', message: 'the sandbox process stopped' };
    return new SubmissionError(death.kind, `${death.message} ${when}`);
  }

  // -------------------------------------------------------------------------------------------
  // Requests
  // -------------------------------------------------------------------------------------------

  /** A new test file begins: objects kept for earlier files' handles may go. */
  beginFile(): void {
    if (this.#started && !this.#death) this.#exchange({ t: 'forget' });
  }

  /** The files of an exercise as the sandbox loaded them (loading it on first use). */
  files(exercise: string): Record<string, LoadedFile> {
    let files = this.#exercises.get(exercise);
    if (!files) {
      this.#start();
      const reply = this.#exchange({ t: 'load', id: this.#nextId++, exercise });
      if (!reply) throw this.#deathError(`while loading ${exercise}`);
      files = reply.t === 'loaded' && reply.files && typeof reply.files === 'object' ? reply.files : {};
      this.#exercises.set(exercise, files);
    }
    return files;
  }

  /** Calls `fn` of the submission's `file` of `exercise` with `args`, and returns its result. */
  call(exercise: string, file: string, fn: string, args: unknown[]): unknown {
    return this.#invoke(exercise, file, fn, args, (id, encoded) => ({ t: 'call', id, exercise, file, fn, args: encoded }));
  }

  /** The numerical gradient of `fn` (lib/testing/gradcheck.ts's `numericalGradientOf`), computed in the sandbox. */
  gradient(exercise: string, file: string, fn: string, args: unknown[], options: NumericalGradientOptions): Tensor {
    const encodedOptions: GradientOptions = { wrt: typeof options.wrt === 'number' ? options.wrt : [...options.wrt] };
    if (options.output) encodedOptions.output = [...options.output];
    if (options.dout !== undefined) encodedOptions.dout = options.dout;
    if (options.h !== undefined) encodedOptions.h = options.h;
    return this.#invoke(exercise, file, fn, args, (id, encoded) => ({ t: 'gradient', id, exercise, file, fn, args: encoded, options: encodedOptions }), 'gradient') as Tensor;
  }

  /** `times` calls of `fn` with the same arguments (lib/testing/repeat.ts's `callRepeatedly`), made in the sandbox in one request. */
  repeat(exercise: string, file: string, fn: string, args: unknown[], times: number): unknown[] {
    const results = this.#invoke(exercise, file, fn, args, (id, encoded) => ({ t: 'repeat', id, exercise, file, fn, args: encoded, times }), 'repeat');
    if (!Array.isArray(results) || results.length !== times) throw new SubmissionError('crash', `the sandbox gave an unexpected answer to ${times} calls of ${fn}`);
    return results;
  }

  /** Reads a value the submission's file exports (a constant). */
  read(exercise: string, file: string, name: string): unknown {
    return this.#invoke(exercise, file, name, [], (id) => ({ t: 'read', id, exercise, file, name }), 'read');
  }

  #invoke(exercise: string, file: string, fn: string, args: unknown[], make: (id: number, encoded: unknown[]) => ToSandbox, what: 'call' | 'gradient' | 'repeat' | 'read' = 'call'): unknown {
    const record = activeTest();
    const count = (record?.callCounts.get(fn) ?? 0) + 1;
    record?.callCounts.set(fn, count);
    const recorded: CallRecord | null = record && what === 'call' && count <= MAX_RECORDED_CALLS ? { exercise, file, fn, args: snapshotArgs(args), failed: false } : null;
    if (recorded) record!.calls.push(recorded);
    try {
      const result = this.#run(exercise, file, fn, args, make);
      if (recorded) {
        recorded.result = result;
        notePaths(result, recorded, [], 0);
      }
      return result;
    } catch (error) {
      if (recorded) recorded.failed = true;
      if (record) record.failures.push(failureNote(error, fn));
      throw error;
    }
  }

  #run(exercise: string, file: string, fn: string, args: unknown[], make: (id: number, encoded: unknown[]) => ToSandbox): unknown {
    if (this.plan.failed) throw new SubmissionError('crash', `the grader could not prepare this submission: ${this.plan.failed}`);
    const planned = this.plan.exercises[exercise]?.files[file];
    if (!planned || planned.status === 'missing') throw new SubmissionError('not-submitted', `not submitted: ${exercise}/${file} is missing, so ${fn} cannot run`);
    if (planned.status === 'compile-error') throw new SubmissionError('compile', `${exercise}/${file} does not compile: ${planned.error ?? 'syntax error'}`);
    if (this.#death) throw this.#deathError(`during ${fn}`);
    const loaded = this.files(exercise)[file];
    if (!loaded) throw new SubmissionError('not-submitted', `not submitted: ${exercise}/${file} is missing, so ${fn} cannot run`);
    if (loaded.status === 'failed') {
      const kind: FailureKind = loaded.kind === 'access' ? 'access' : loaded.kind === 'timeout' ? 'timeout' : loaded.kind === 'memory' ? 'memory' : 'load';
      throw new SubmissionError(kind, kind === 'timeout' || kind === 'memory' ? `${loaded.message}, so ${fn} cannot run` : `${fn} cannot run: ${String(loaded.message)}`);
    }
    const exports = loaded.exports ?? {};
    if (!Object.hasOwn(exports, fn)) throw new SubmissionError('missing-export', `${exercise}/${file} has no export named ${fn}`);
    const context: EncodeContext = { sandbox: this, rngs: [], functions: [] };
    const encoded = encode(args, context, 0) as unknown[];
    const id = this.#nextId++;
    const reply = this.#exchange(make(id, encoded));
    if (!reply) throw this.#deathError(`during ${fn}`);
    if (!('id' in reply) || reply.id !== id) {
      this.close();
      this.#death = { kind: 'crash', message: 'the sandbox answered out of turn' };
      throw this.#deathError(`during ${fn}`);
    }
    const prints = validPrints((reply as { prints?: unknown }).prints);
    if (prints.bytes > 0) recordOutput(prints.stdout, prints.stderr, prints.bytes);
    switch (reply.t) {
      case 'returned': {
        measureReply([reply.value, reply.args, reply.states], fn);
        checkTensors(reply.value, fn);
        this.#afterCall(fn, args, reply.args, context, reply.draws, reply.states);
        return decode(reply.value, this, 0);
      }
      case 'threw': {
        measureReply([reply.args, reply.states], fn);
        this.#afterCall(fn, args, reply.args, context, undefined, reply.states);
        throw rebuildThrown(reply.error, fn);
      }
      case 'failed': {
        if (reply.kind === 'timeout' || reply.kind === 'memory') this.#exercises.delete(exercise);
        throw new SubmissionError(failureKind(reply.kind), failureMessage(reply.kind, fn, String(reply.message)));
      }
      default:
        throw new SubmissionError('crash', `the sandbox gave an unexpected answer to ${fn}`);
    }
  }

  /**
   * Brings the caller's generators and test functions to where the sandbox left them (draws
   * made, calls seen). Arguments the function changed are not changed here: the test's own data
   * stays what the test made it, whatever the submission does to its copy (a change written back
   * would let it rewrite what the test compares against, e.g. zero a `dout` so that any gradient
   * checks out). A changed argument fails the call instead, and setup.ts fails the test even when
   * it catches that error.
   */
  #afterCall(
    fn: string,
    args: unknown[],
    changed: unknown[] | undefined,
    context: EncodeContext,
    draws: { path: (string | number)[]; count: number }[] | undefined,
    states: { path: (string | number)[]; state: Record<string, unknown> }[] | undefined,
  ): void {
    for (const entry of Array.isArray(draws) ? draws.slice(0, 64) : []) {
      if (entry === null || typeof entry !== 'object') continue;
      const { path, count } = entry;
      const rng = context.rngs.find((r) => samePath(r.path, path))?.rng;
      if (!rng || !Number.isInteger(count) || count < 0) continue;
      if (count > MAX_DRAWS) throw new SubmissionError('output', `${fn} drew more than ${MAX_DRAWS.toLocaleString('en')} numbers from a generator in one call`);
      advanceRng(rng, count);
    }
    for (const entry of Array.isArray(states) ? states.slice(0, 64) : []) {
      if (entry === null || typeof entry !== 'object') continue;
      const { path, state } = entry;
      const target = context.functions.find((f) => samePath(f.path, path))?.fn;
      const s = state as Partial<TestFunctionState> | null;
      if (target && s && Array.isArray(s.calls) && typeof s.count === 'number') restoreTestFunctionState(target, { calls: s.calls as TestFunctionState['calls'], count: s.count });
    }
    if (!Array.isArray(changed)) return;
    const record = activeTest();
    let first = -1;
    for (let i = 0; i < args.length && i < changed.length; i++) {
      if (!differs(args[i], decode(changed[i], this, 0), 0)) continue;
      record?.mutations.push({ fn, arg: i });
      if (first < 0) first = i;
    }
    if (first >= 0) throw new SubmissionError('mutation', mutationMessage(fn, first));
  }
}

/** What a public test says about a changed argument (0-based `arg`). */
export function mutationMessage(fn: string, arg: number): string {
  return `${fn} changed its argument ${arg + 1} (functions must leave their inputs unchanged; copy before you modify)`;
}

/**
 * Uniform draws one call may make from a generator it was given: the trusted side replays them
 * one by one. The suites' largest functions draw tens of thousands.
 */
const MAX_DRAWS = 1_000_000;

/** What one reply may hold: grader/shared/limits.ts. */

function measureReply(parts: unknown[], fn: string): void {
  const budget = { plain: 0, typed: 0 };
  const walk = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object') return;
    if (depth > MAX_DECODE_DEPTH) throw new SubmissionError('output', `${fn} returned a value nested more than ${MAX_DECODE_DEPTH} levels deep`);
    if (ArrayBuffer.isView(value)) {
      budget.typed += value instanceof DataView ? value.byteLength : (value as unknown as { length: number }).length;
      if (budget.typed > MAX_TYPED_VALUES) throw new SubmissionError('output', `${fn} returned ${TOO_MANY_TYPED}`);
      return;
    }
    if (value instanceof ArrayBuffer) {
      budget.typed += value.byteLength / 8;
      if (budget.typed > MAX_TYPED_VALUES) throw new SubmissionError('output', `${fn} returned ${TOO_MANY_TYPED}`);
      return;
    }
    const values: unknown[] = Array.isArray(value) ? value : Object.values(value);
    budget.plain += values.length;
    if (budget.plain > MAX_PLAIN_VALUES) throw new SubmissionError('output', `${fn} returned ${TOO_MANY_PLAIN}`);
    for (const v of values) walk(v, depth + 1);
  };
  for (const part of parts) walk(part, 0);
}

/**
 * Every tensor in a result (an object with a `shape` array and typed-array `data`) has a shape of
 * non-negative integers that multiply out to its data's length. The suites' own code loops over
 * shapes it is given (a covariance written out, a matrix product): a result claiming [1e6, 1e6]
 * over two numbers would keep the test worker busy for hours, where no CPU limit watches. A
 * result that breaks this fails its call, saying so (the walk is bounded: measureReply ran first).
 * A `cache` is the student's own design, which only their backward pass reads: not walked.
 */
function checkTensors(value: unknown, fn: string, depth = 0): void {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || depth > MAX_DECODE_DEPTH) return;
  const { shape, data } = value as { shape?: unknown; data?: unknown };
  if (Array.isArray(shape) && ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const length = (data as unknown as { length: number }).length;
    const dims = shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
    const size = dims ? (shape as number[]).reduce((a, b) => a * b, 1) : NaN;
    if (size !== length) {
      const shown = shape.length <= 8 ? `[${shape.map((d) => (typeof d === 'number' ? String(d) : typeof d)).join(', ')}]` : `of ${shape.length} dimensions`;
      throw new SubmissionError('output', `${fn} returned a tensor whose shape ${shown} does not match its ${length} numbers (a shape must multiply out to data.length)`);
    }
  }
  if (Array.isArray(value)) for (const v of value) checkTensors(v, fn, depth + 1);
  else for (const [k, v] of Object.entries(value)) if (k !== 'cache') checkTensors(v, fn, depth + 1);
}

function deathKind(kind: unknown): Death['kind'] {
  return kind === 'timeout' || kind === 'memory' || kind === 'exit' ? kind : 'crash';
}

// ---------------------------------------------------------------------------------------------
// Values out (trusted → sandbox)
// ---------------------------------------------------------------------------------------------

interface EncodeContext {
  sandbox: Sandbox;
  rngs: { path: (string | number)[]; rng: Rng }[];
  functions: { path: (string | number)[]; fn: unknown }[];
}

function marker(m: Marker): Record<string, unknown> {
  return { [MARKER]: m };
}

/**
 * A test function or trainer of lib/testing/functions.ts as its description (table, name,
 * params) and its state so far: the bridge makes it again inside the sandbox, and its state comes
 * back after the call (`#afterCall`).
 */
function testFunctionMarker(value: unknown, context: EncodeContext, depth: number, path: (string | number)[]): Record<string, unknown> | undefined {
  const described = describeTestFunction(value);
  if (!described) return undefined;
  context.functions.push({ path, fn: value });
  const state = testFunctionState(value) ?? { calls: [], count: 0 };
  return marker({
    kind: 'test-function',
    table: described.table,
    name: described.name,
    params: encode(described.params, context, depth + 1),
    ...(described.records ? { records: true as const } : {}),
    ...(described.failsOnCall ? { failsOnCall: described.failsOnCall } : {}),
    state: { calls: state.calls, count: state.count },
  });
}

function encode(value: unknown, context: EncodeContext, depth: number, path: (string | number)[] = []): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') {
      const described = testFunctionMarker(value, context, depth, path);
      if (described) return described;
      throw new Error('the grader cannot pass this function into the sandbox: only the test functions of lib/testing/functions.ts cross (a kit bug)');
    }
    if (typeof value === 'symbol' || typeof value === 'bigint') return marker({ kind: 'unsupported', what: `a ${typeof value}` });
    return value;
  }
  if (depth > 64) throw new Error('the grader cannot pass an argument nested this deep into the sandbox (a kit bug)');
  if (value instanceof SandboxValue) {
    const id = value.handleFor(context.sandbox);
    if (id === null) throw new SubmissionError('stale', 'a value from an earlier run of the submission, which was stopped');
    return marker({ kind: 'handle', id, what: value.what });
  }
  // A trainer (an object of test functions sharing one log) crosses whole, as its description.
  const trainer = testFunctionMarker(value, context, depth, path);
  if (trainer) return trainer;
  const drawn = drawsOf(value as Rng);
  if (drawn !== undefined) {
    context.rngs.push({ path, rng: value as Rng });
    return marker({ kind: 'rng', seed: (value as Rng).seed, drawn });
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (Array.isArray(value)) return value.map((v, i) => encode(v, context, depth + 1, [...path, i]));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = encode(v, context, depth + 1, [...path, key]);
  return out;
}

function samePath(a: readonly (string | number)[], b: unknown): boolean {
  return Array.isArray(b) && a.length === b.length && a.every((k, i) => k === b[i]);
}

// ---------------------------------------------------------------------------------------------
// Values in (sandbox → trusted): plain data, and markers turned into SandboxValues
// ---------------------------------------------------------------------------------------------

const MAX_DECODE_DEPTH = 64;

function decode(value: unknown, sandbox: Sandbox, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DECODE_DEPTH) throw new SubmissionError('output', 'the result is nested too deep');
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decode(value[i], sandbox, depth + 1);
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === MARKER) {
    const m = (value as Record<string, unknown>)[MARKER] as Partial<Marker> | null;
    if (m && m.kind === 'handle' && Number.isInteger(m.id)) {
      const data = m.data && typeof m.data === 'object' && !Array.isArray(m.data) ? (decode(m.data, sandbox, depth + 1) as Record<string, unknown>) : undefined;
      return new SandboxValue(sandbox, m.id!, typeof m.what === 'string' ? m.what.slice(0, 60) : 'an object', data);
    }
    return undefined; // a value that cannot cross (a symbol, a bigint)
  }
  // A plain object: the copy V8 made (the sandbox's objects had no prototype; these have Object's).
  for (const key of keys) (value as Record<string, unknown>)[key] = decode((value as Record<string, unknown>)[key], sandbox, depth + 1);
  return value;
}

function validPrints(raw: unknown): Prints {
  const p = (raw ?? {}) as Partial<Prints>;
  return {
    stdout: typeof p.stdout === 'string' ? p.stdout.slice(0, 64 * 1024) : '',
    stderr: typeof p.stderr === 'string' ? p.stderr.slice(0, 64 * 1024) : '',
    bytes: typeof p.bytes === 'number' && p.bytes >= 0 ? p.bytes : 0,
  };
}

/**
 * Whether the sandbox's copy of an argument, after the call, differs from the caller's: a
 * changed element, key, length or kind. Generators, sandbox values and test functions are not
 * compared (their changes travel apart: draws, states), nor anything deeper than 32 levels.
 */
function differs(original: unknown, fresh: unknown, depth: number): boolean {
  if (original === null || typeof original !== 'object' || depth > 32) return false;
  if (original instanceof SandboxValue || drawsOf(original as Rng) !== undefined) return false;
  if (fresh === null || typeof fresh !== 'object') return true;
  const element = (a: unknown, b: unknown): boolean => (a !== null && typeof a === 'object' ? differs(a, b, depth + 1) : typeof a === 'function' || typeof a === 'symbol' ? false : !Object.is(a, b));
  if (ArrayBuffer.isView(original)) {
    if (original instanceof DataView) return false;
    if (!ArrayBuffer.isView(fresh) || fresh instanceof DataView) return true;
    const a = original as unknown as ArrayLike<number>;
    const b = fresh as unknown as ArrayLike<number>;
    if (a.length !== b.length) return true;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return true;
    return false;
  }
  if (Array.isArray(original)) {
    if (!Array.isArray(fresh) || original.length !== fresh.length) return true;
    for (let i = 0; i < original.length; i++) if (element(original[i], fresh[i])) return true;
    return false;
  }
  const proto = Object.getPrototypeOf(original) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  if (Array.isArray(fresh) || ArrayBuffer.isView(fresh)) return true;
  const keys = Object.keys(original);
  const freshKeys = Object.keys(fresh);
  if (freshKeys.length !== keys.length || freshKeys.some((k) => !Object.hasOwn(original, k))) return true;
  for (const key of keys) if (element((original as Record<string, unknown>)[key], (fresh as Record<string, unknown>)[key])) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Errors and failures
// ---------------------------------------------------------------------------------------------

function rebuildThrown(raw: ThrownInfo | undefined, fn: string): Error {
  const info = raw ?? { form: 'value', builtin: 'Error', name: '', message: '', frames: [] };
  if (info.form !== 'error') return new SubmissionError('threw', `${fn} ${String(info.message).slice(0, 300)}`);
  const Ctor = BUILTIN_ERRORS[String(info.builtin)] ?? Error;
  const error = new Ctor(String(info.message));
  const name = String(info.name);
  if (name && name !== Ctor.name) Object.defineProperty(error, 'name', { value: name.slice(0, 100), configurable: true, writable: true });
  const frames = Array.isArray(info.frames) ? info.frames.map((f) => `    ${String(f).slice(0, 300)}`) : [];
  error.stack = [`${error.name}: ${error.message}`, ...frames].join('\n');
  return error;
}

function failureKind(kind: string): FailureKind {
  switch (kind) {
    case 'timeout':
    case 'memory':
    case 'output':
    case 'load':
    case 'access':
    case 'missing-export':
    case 'stale':
      return kind;
    default:
      return 'crash';
  }
}

function failureMessage(kind: string, fn: string, message: string): string {
  switch (kind) {
    case 'timeout':
      return `${fn} timed out: it ${message} (the limit is CPU time, not the wall clock)`;
    case 'memory':
      return `${fn} exceeded the memory limit${message.startsWith('was not run again') ? ` (it ${message})` : ''}`;
    case 'output':
      return `${fn} ${message}`;
    case 'missing-export':
      return message;
    case 'stale':
      return `${fn} was given ${message}`;
    default:
      return `${fn}: ${message}`;
  }
}

function failureNote(error: unknown, fn: string): FailureNote {
  if (error instanceof SubmissionError) return { kind: error.kind, fn, message: error.message, errorName: error.name, errorMessage: error.message };
  const e = error as Error;
  if (e?.name === 'NotImplementedError') return { kind: 'not-implemented', fn, message: e.message, errorName: e.name, errorMessage: e.message };
  return { kind: 'threw', fn, message: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`, errorName: e?.name, errorMessage: e?.message };
}

// ---------------------------------------------------------------------------------------------
// Call records, for diagnoses
// ---------------------------------------------------------------------------------------------

function snapshotArgs(args: unknown[]): unknown[] {
  const copy = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object' || depth > 20) return value;
    if (value instanceof SandboxValue) return value;
    const drawn = drawsOf(value as Rng);
    if (drawn !== undefined) return new RngSnapshot((value as Rng).seed, drawn);
    if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice();
    if (Array.isArray(value)) return value.map((v) => copy(v, depth + 1));
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    const provenanceOf = provenance.get(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = copy(v, depth + 1);
    if (provenanceOf) provenance.set(out, provenanceOf);
    return out;
  };
  return args.map((a) => {
    const origin = a !== null && typeof a === 'object' ? provenance.get(a) : undefined;
    const snapshot = copy(a, 0);
    if (origin && snapshot !== null && typeof snapshot === 'object') provenance.set(snapshot, origin);
    return snapshot;
  });
}

function notePaths(value: unknown, record: CallRecord, path: (string | number)[], depth: number): void {
  if (value === null || typeof value !== 'object' || depth > 4 || ArrayBuffer.isView(value)) return;
  if (!provenance.has(value)) provenance.set(value, { record, path });
  if (Array.isArray(value)) value.slice(0, 16).forEach((v, i) => notePaths(v, record, [...path, i], depth + 1));
  else if (!(value instanceof SandboxValue)) for (const [k, v] of Object.entries(value)) notePaths(v, record, [...path, k], depth + 1);
}
