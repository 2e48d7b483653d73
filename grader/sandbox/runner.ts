/**
 * The sandbox process: loads a submission's transpiled modules and runs its functions on request.
 * Everything here runs next to untrusted code, so nothing it says is believed by the trusted side;
 * its job is only to keep the conversation going and to describe what happened.
 *
 * Started by `helper.ts` as
 *   node --experimental-permission --allow-fs-read=<sandbox dir> --experimental-vm-modules
 *        --disallow-code-generation-from-strings --max-old-space-size=… runner.js
 * with an empty environment, requests on fd 0, replies on fd 3, the student's prints on fd 1 and 2.
 * The permission model forbids writes, child processes, workers and reads outside the sandbox dir.
 * Modules are linked by this file (vm.SourceTextModule), so a submission can import only its own
 * files, lib/, seedrandom and a short list of harmless built-ins; eval and `new Function` are off.
 *
 * The loop is synchronous (blocking reads on fd 0): a call runs to completion or is killed by the
 * helper's time limit. A callback into the trusted side blocks the same way until its reply.
 *
 * NOTE: this file is transpiled into the sandbox with protocol.ts and rng-count.ts; it may import
 * nothing else from the kit.
 */
import { readFileSync, readSync, writeSync } from 'node:fs';
import { createRequire, SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import vm from 'node:vm';
import { encodeFrame, frameLengths, MARKER, MAX_BODY_BYTES, type FromSandbox, type Marker, type SandboxFailureKind, type ThrownInfo, type ToSandbox } from './protocol.ts';
import { advanceRng, countingRng, type CountableRng } from './rng-count.ts';

// ---------------------------------------------------------------------------------------------
// Primordials: captured before any submission code runs, so patched globals cannot reach us.
// ---------------------------------------------------------------------------------------------
const ReflectApply = Reflect.apply;
const ObjectKeys = Object.keys;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectDefineProperty = Object.defineProperty;
const ObjectSetPrototypeOf = Object.setPrototypeOf;
const ObjectCreate = Object.create;
const ObjectPrototype = Object.prototype;
const ArrayIsArray = Array.isArray;
const ArrayPrototype = Array.prototype;
const ArrayBufferIsView = ArrayBuffer.isView;
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;
const StringCtor = String;
const isProxy = types.isProxy;
const isNativeError = types.isNativeError;
const isPromise = types.isPromise;
const isAnyArrayBuffer = types.isAnyArrayBuffer;
const isTypedArray = types.isTypedArray;
const ErrorPrototype = Error.prototype;
const MapCtor = Map;
const SetCtor = Set;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapHas = Map.prototype.has;
const mapDelete = Map.prototype.delete;
const setAdd = Set.prototype.add;
const setHas = Set.prototype.has;
const textDecoder = new TextDecoder();
const decodeText = TextDecoder.prototype.decode;
const AtomicsWait = Atomics.wait;

/** A Map whose methods a submission cannot replace (Map.prototype may be patched). */
class SafeMap<K, V> {
  readonly #map = new MapCtor<K, V>();
  get(key: K): V | undefined {
    return ReflectApply(mapGet, this.#map, [key]) as V | undefined;
  }
  set(key: K, value: V): void {
    ReflectApply(mapSet, this.#map, [key, value]);
  }
  has(key: K): boolean {
    return ReflectApply(mapHas, this.#map, [key]) as boolean;
  }
  delete(key: K): void {
    ReflectApply(mapDelete, this.#map, [key]);
  }
}

class SafeSet<T> {
  readonly #set = new SetCtor<T>();
  add(value: T): void {
    ReflectApply(setAdd, this.#set, [value]);
  }
  has(value: T): boolean {
    return ReflectApply(setHas, this.#set, [value]) as boolean;
  }
}

/** Appends without Array.prototype (a submission may have put setters or a patched push there). */
function append<T>(array: T[], value: T): void {
  ObjectDefineProperty(array, array.length, { value, writable: true, enumerable: true, configurable: true });
}

const BUILTIN_ERRORS: readonly [string, object][] = [
  ['RangeError', RangeError.prototype],
  ['TypeError', TypeError.prototype],
  ['SyntaxError', SyntaxError.prototype],
  ['ReferenceError', ReferenceError.prototype],
  ['EvalError', EvalError.prototype],
  ['URIError', URIError.prototype],
  ['AggregateError', AggregateError.prototype],
  ['Error', Error.prototype],
];
const typedArraySlice = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Float64Array.prototype), 'slice')!.value as (
  this: unknown,
  start?: number,
  end?: number,
) => unknown;
const typedArrayByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Float64Array.prototype), 'byteLength')!.get!;
const typedArrayBuffer = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Float64Array.prototype), 'buffer')!.get!;
const bufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
const realExit = process.exit.bind(process);

const SANDBOX = dirname(fileURLToPath(import.meta.url));
const REQUEST_FD = 0;
const REPLY_FD = 3;

/** Built-ins a submission may import: none of them reaches the network, processes or workers. */
const ALLOWED_BUILTINS = new SafeSet<string>();
for (const name of [
  'assert',
  'assert/strict',
  'buffer',
  'crypto',
  'events',
  'fs',
  'path',
  'path/posix',
  'perf_hooks',
  'string_decoder',
  'timers',
  'url',
  'util',
  'os',
]) ALLOWED_BUILTINS.add(name);

interface SandboxManifest {
  /** Every module file in the sandbox, by sandbox path (`exercises/03-batchnorm/batchnorm.js`). */
  files: Record<string, { ts: string; error?: string }>;
  /** What one call may print, in bytes. */
  outputBytes: number;
}

const manifest = JSONParse(readFileSync(join(SANDBOX, 'sandbox.json'), 'utf8')) as SandboxManifest;
// A null prototype: no key a submission adds to Object.prototype can look like a module.
manifest.files = Object.assign(Object.create(null) as SandboxManifest['files'], manifest.files);

/**
 * Reads sandbox.json again: a process may boot (and load lib/) while the submission is still
 * being transpiled; the grader asks for a module only once the full list is written.
 */
function refreshManifest(): void {
  const fresh = JSONParse(readFileSync(join(SANDBOX, 'sandbox.json'), 'utf8')) as SandboxManifest;
  manifest.files = Object.assign(Object.create(null) as SandboxManifest['files'], fresh.files);
}
const requireHere = createRequire(join(SANDBOX, 'runner.js'));

// ---------------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------------
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const MathMax = Math.max;

// Requests arrive on fd 0 and are read through one growing buffer: a small request costs a
// single read, a large one only the reads its size needs.
let inbox = new Uint8Array(65536);
let inStart = 0;
let inEnd = 0;
const typedArraySetFrom = Object.getPrototypeOf(Uint8Array.prototype).set as (this: Uint8Array, source: ArrayLike<number>, offset?: number) => void;
const typedArraySubarray = Object.getPrototypeOf(Uint8Array.prototype).subarray as (this: Uint8Array, start?: number, end?: number) => Uint8Array;

/** Makes at least `count` bytes available at `inbox[inStart…]`; false at end of input. */
function fill(count: number): boolean {
  if (inEnd - inStart >= count) return true;
  if (inStart + count > inbox.byteLength) {
    const grown = new Uint8Array(MathMax(count, inbox.byteLength));
    ReflectApply(typedArraySetFrom, grown, [ReflectApply(typedArraySubarray, inbox, [inStart, inEnd]), 0]);
    inbox = grown;
    inEnd -= inStart;
    inStart = 0;
  }
  while (inEnd - inStart < count) {
    let n: number;
    try {
      n = readSync(REQUEST_FD, inbox, inEnd, inbox.byteLength - inEnd, null);
    } catch (error) {
      if ((error as { code?: string }).code === 'EAGAIN') {
        ReflectApply(AtomicsWait, Atomics, [sleeper, 0, 0, 1]);
        continue;
      }
      return false;
    }
    if (n === 0) return false;
    inEnd += n;
  }
  return true;
}

interface Frame {
  header: ToSandbox;
  body: Uint8Array;
}

function readFrame(): Frame | null {
  if (inStart === inEnd) {
    inStart = 0;
    inEnd = 0;
  }
  if (!fill(8)) return null;
  const lengths = frameLengths(ReflectApply(typedArraySubarray, inbox, [inStart, inStart + 8]));
  if (typeof lengths === 'string') return null;
  const total = 8 + lengths.header + lengths.body;
  if (!fill(total)) return null;
  const head = ReflectApply(typedArraySubarray, inbox, [inStart + 8, inStart + 8 + lengths.header]);
  const header = JSONParse(ReflectApply(decodeText, textDecoder, [head]) as string) as ToSandbox;
  const body = ReflectApply(typedArraySlice, inbox, [inStart + 8 + lengths.header, inStart + total]) as Uint8Array;
  inStart += total;
  return { header, body };
}

function send(header: FromSandbox, body?: Uint8Array): void {
  const frame = encodeFrame(header, body);
  let off = 0;
  while (off < frame.byteLength) {
    try {
      off += writeSync(REPLY_FD, frame, off, frame.byteLength - off);
    } catch (error) {
      if ((error as { code?: string }).code === 'EAGAIN') {
        ReflectApply(AtomicsWait, Atomics, [sleeper, 0, 0, 1]);
        continue;
      }
      realExit(70);
    }
  }
}

function fail(id: number, kind: SandboxFailureKind, message: string): void {
  send({ t: 'fail', id, kind, message: clip(message, 4000) });
}

// ---------------------------------------------------------------------------------------------
// Describing untrusted values without trusting them
// ---------------------------------------------------------------------------------------------
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A string for any value, never calling into it beyond one guarded property read. */
function safeString(value: unknown, max = 2000): string {
  try {
    if (typeof value === 'string') return clip(value, max);
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value == null) return StringCtor(value);
    if (typeof value === 'symbol') return 'a symbol';
    if (typeof value === 'function') return 'a function';
    return 'an object';
  } catch {
    return 'a value that could not be read';
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSONStringify(clip(value, 200));
  if (typeof value !== 'object' && typeof value !== 'function') return safeString(value);
  if (typeof value === 'function') return 'a function';
  if (isProxy(value)) return 'a Proxy';
  if (ArrayIsArray(value)) return 'an array';
  if (isPromise(value)) return 'a Promise';
  return 'an object';
}

function builtinOf(error: object): string {
  let proto: object | null = ObjectGetPrototypeOf(error) as object | null;
  for (let depth = 0; proto !== null && depth < 50; depth++) {
    for (let i = 0; i < BUILTIN_ERRORS.length; i++) if (proto === BUILTIN_ERRORS[i]![1]) return BUILTIN_ERRORS[i]![0];
    proto = ObjectGetPrototypeOf(proto) as object | null;
  }
  return 'Error';
}

function readProperty(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function thrownInfo(thrown: unknown): ThrownInfo {
  try {
    if (thrown !== null && typeof thrown === 'object' && !isProxy(thrown) && (isNativeError(thrown) || ErrorPrototype.isPrototypeOf(thrown))) {
      const code = readProperty(thrown, 'code');
      const name = readProperty(thrown, 'name');
      const info: ThrownInfo = {
        form: 'error',
        builtin: builtinOf(thrown),
        name: typeof name === 'string' ? clip(name, 100) : builtinOf(thrown),
        message: safeString(readProperty(thrown, 'message')),
        frames: safeFrames(readProperty(thrown, 'stack')),
      };
      if (typeof code === 'string') info.code = clip(code, 100);
      return info;
    }
    return { form: 'value', builtin: 'Error', name: 'Error', message: describeValue(thrown), frames: [] };
  } catch {
    return { form: 'value', builtin: 'Error', name: 'Error', message: 'a value that could not be read', frames: [] };
  }
}

function safeFrames(stack: unknown): string[] {
  try {
    return mapStack(stack);
  } catch {
    return [];
  }
}

// Stack frames point at the transpiled JavaScript; the source maps written next to each file turn
// them back into lines of the student's .ts.
const sourceMaps = new SafeMap<string, SourceMap | null>();

function sourceMapFor(tsPath: string): SourceMap | null {
  if (sourceMaps.has(tsPath)) return sourceMaps.get(tsPath)!;
  let map: SourceMap | null = null;
  const js = tsPath.replace(/\.ts$/, '.js');
  try {
    map = new SourceMap(JSONParse(readFileSync(join(SANDBOX, `${js}.map`), 'utf8')) as SourceMapPayload);
  } catch {
    map = null;
  }
  sourceMaps.set(tsPath, map);
  return map;
}

const FRAME = /^\s*at (?:(.*?) \()?((?:exercises|lib)\/[^\s():]+\.ts):(\d+):(\d+)\)?$/;

function mapStack(stack: unknown): string[] {
  if (typeof stack !== 'string') return [];
  const frames: string[] = [];
  for (const line of clip(stack, 20000).split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const [, fn, file, l, c] = m as unknown as [string, string | undefined, string, string, string];
    let line0 = Number(l) - 1;
    let col0 = Number(c) - 1;
    const entry = sourceMapFor(file)?.findEntry(line0, col0) as { originalLine?: number; originalColumn?: number } | undefined;
    if (entry && typeof entry.originalLine === 'number' && typeof entry.originalColumn === 'number') {
      line0 = entry.originalLine;
      col0 = entry.originalColumn;
    }
    const where = `${file}:${line0 + 1}:${col0 + 1}`;
    frames.push(fn ? `at ${fn.replace(/^Module\./, '')} (${where})` : `at ${where}`);
    if (frames.length >= 8) break;
  }
  return frames;
}

// ---------------------------------------------------------------------------------------------
// Modules
// ---------------------------------------------------------------------------------------------
class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(
    readonly kind: SandboxFailureKind,
    message: string,
  ) {
    super(message);
  }
}

const modules = new SafeMap<string, vm.Module>();
const modulePaths = new SafeMap<vm.Module, string>();
const moduleFailures = new SafeMap<string, LinkError>();

function displayPath(path: string): string {
  return manifest.files[path]?.ts ?? path;
}

/** The sandbox path a specifier names, or a LinkError saying why it may not be imported. */
function resolveSpecifier(specifier: string, fromPath: string): string {
  const from = displayPath(fromPath);
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    const joined = posix.normalize(posix.join(posix.dirname(fromPath), specifier));
    if (!joined.startsWith('exercises/') && !joined.startsWith('lib/')) {
      throw new LinkError(
        'access',
        `access denied: ${from} imports '${specifier}'; a submission may import only its own files, its other exercises and lib/`,
      );
    }
    const base = joined.replace(/\.(ts|mts|js|mjs)$/, '');
    const candidates = [`${base}.js`, `${base}/index.js`];
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i]!;
      const entry = manifest.files[candidate];
      if (!entry) continue;
      if (entry.error) throw new LinkError('compile', `${from} imports ${entry.ts}, which does not compile: ${entry.error}`);
      return candidate;
    }
    // The transpiler rewrote `.ts` to `.js`: name the file as the student wrote it.
    throw new LinkError('load', `${from} imports '${specifier.replace(/\.js$/, '.ts')}', which is not part of the submission`);
  }
  if (specifier === 'seedrandom') return 'seedrandom';
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  // The kit's own library is trusted to import what it needs (the permission model still applies).
  if (ALLOWED_BUILTINS.has(bare) || (fromPath.startsWith('lib/') && specifier.startsWith('node:'))) return `node:${bare}`;
  if (specifier.startsWith('node:') || requireHere.resolve.paths(specifier) === null) {
    throw new LinkError('access', `access denied: ${from} imports '${specifier}', which the grader does not allow`);
  }
  throw new LinkError('load', `${from} imports the package '${specifier}'; a submission may import only its own files, its other exercises, lib/ and Node's built-in modules`);
}

async function builtinModule(key: string): Promise<vm.Module> {
  const ns = (key === 'seedrandom' ? { default: requireHere('seedrandom') as unknown } : ((await import(key)) as Record<string, unknown>)) as Record<
    string,
    unknown
  >;
  const names = ObjectKeys(ns);
  const module = new vm.SyntheticModule(names, function (this: vm.SyntheticModule) {
    for (let i = 0; i < names.length; i++) this.setExport(names[i]!, ns[names[i]!]);
  }, { identifier: key });
  return module;
}

function sourceModule(path: string): vm.SourceTextModule {
  const entry = manifest.files[path];
  if (!entry) throw new LinkError('load', `${path} is not part of the submission`);
  if (entry.error) throw new LinkError('compile', `${entry.ts} does not compile: ${entry.error}`);
  const code = readFileSync(join(SANDBOX, path), 'utf8');
  try {
    return new vm.SourceTextModule(code, {
      identifier: entry.ts,
      initializeImportMeta(meta) {
        (meta as { url: string }).url = `file:///submission/${entry.ts}`;
      },
      importModuleDynamically: (async (specifier: string) => {
        const target = resolveSpecifier(specifier, path);
        await loadModule(target);
        return modules.get(target)!;
      }) as unknown as vm.SourceTextModuleOptions['importModuleDynamically'],
    });
  } catch (error) {
    throw new LinkError('compile', `${entry.ts} does not compile: ${safeString(readProperty(error as object, 'message'))}`);
  }
}

/**
 * Creates (once) the module record of `key`. Returns nothing on purpose: an async function that
 * resolves to an object looks up its `then`, and a submission may have put a getter there.
 */
async function prepareModule(key: string): Promise<void> {
  if (modules.has(key)) return;
  const module = key.startsWith('node:') || key === 'seedrandom' ? await builtinModule(key) : sourceModule(key);
  modules.set(key, module);
  modulePaths.set(module, key);
}

/** Links a module and everything it imports, without running any of it. */
async function linkModule(path: string): Promise<void> {
  const failure = moduleFailures.get(path);
  if (failure) throw failure;
  await prepareModule(path);
  const module = modules.get(path)!;
  if (module.status !== 'unlinked') return;
  await module.link(async (specifier, referencing) => {
    const key = resolveSpecifier(specifier, pathOf(referencing));
    await prepareModule(key);
    return modules.get(key)!;
  });
}

/** Links and evaluates a module (and everything it imports); throws LinkError or what it threw. */
async function loadModule(path: string): Promise<void> {
  await linkModule(path);
  const module = modules.get(path)!;
  if (module.status === 'linked') await module.evaluate();
  if (module.status === 'errored') throw module.error;
}

let linkedAhead = false;

/**
 * Before the first submission code runs: loads lib/random.js (for replicated generators) and links
 * every module of the exercise that will be asked for, while the globals are still pristine —
 * linking after a submission polluted Object.prototype (a `then` getter) would fail.
 */
async function linkAhead(firstPath: string): Promise<void> {
  if (linkedAhead) return;
  linkedAhead = true;
  // The exercise this process serves (its first load); other exercises link as its imports need.
  const folder = firstPath.slice(0, firstPath.indexOf('/', 'exercises/'.length) + 1);
  const paths = ObjectKeys(manifest.files);
  for (let i = 0; i < paths.length; i++) {
    if (!paths[i]!.startsWith(folder)) continue;
    try {
      await linkModule(paths[i]!);
    } catch {
      /* reported when the module is asked for */
    }
  }
}

function pathOf(module: vm.Module): string {
  return modulePaths.get(module) ?? module.identifier;
}

// ---------------------------------------------------------------------------------------------
// Values across the boundary
// ---------------------------------------------------------------------------------------------
let nextHandle = 1;
const handles = new SafeMap<number, unknown>();
const handleIds = new SafeMap<unknown, number>();

function handleFor(value: unknown): number {
  let id = handleIds.get(value);
  if (id === undefined) {
    id = nextHandle++;
    handles.set(id, value);
    handleIds.set(value, id);
  }
  return id;
}

class OutputError extends Error {}

const LIMITS = { nodes: 4_000_000, depth: 200, arrayLength: 50_000_000 };

/**
 * Turns a value from the submission into data that `serialize` can copy: plain objects, arrays,
 * typed arrays and primitives are copied; anything with behaviour stays here behind a handle (with
 * a copy of its own enumerable properties, so the trusted side can still read its fields).
 * `known` maps objects that arrived as markers back to those markers.
 */
function encodeValue(value: unknown, known: SafeMap<unknown, unknown>): unknown {
  let nodes = 0;
  const memo = new SafeMap<unknown, unknown>();
  const walk = (v: unknown, depth: number): unknown => {
    if (++nodes > LIMITS.nodes) throw new OutputError(`more than ${LIMITS.nodes} values`);
    if (depth > LIMITS.depth) throw new OutputError(`nested more than ${LIMITS.depth} levels deep`);
    switch (typeof v) {
      case 'number':
      case 'string':
      case 'boolean':
      case 'undefined':
      case 'bigint':
        return v;
      case 'symbol':
        return { [MARKER]: { kind: 'unsupported', what: 'a symbol' } satisfies Marker };
      case 'function':
        if (known.has(v)) return known.get(v);
        return { [MARKER]: { kind: 'handle', id: handleFor(v), gen: 0, what: 'a function' } satisfies Marker };
    }
    if (v === null) return null;
    if (known.has(v)) return known.get(v);
    if (memo.has(v)) return memo.get(v);
    if (isProxy(v)) return { [MARKER]: { kind: 'handle', id: handleFor(v), gen: 0, what: 'a Proxy' } satisfies Marker };
    if (isTypedArray(v)) {
      // A small view of a large buffer would otherwise copy the whole buffer.
      const copy = ReflectApply(typedArrayByteLength, v, []) === ReflectApply(bufferByteLength, ReflectApply(typedArrayBuffer, v, []), [])
        ? v
        : ReflectApply(typedArraySlice, v, []);
      memo.set(v, copy);
      return copy;
    }
    if (ArrayBufferIsView(v) || isAnyArrayBuffer(v)) return v;
    if (isPromise(v)) throw new OutputError('a Promise (is the function async? exercise functions return their result directly)');
    const proto = ObjectGetPrototypeOf(v) as unknown;
    if (ArrayIsArray(v) && proto === ArrayPrototype) {
      const source = v as unknown[];
      const length = source.length;
      if (length > LIMITS.arrayLength) throw new OutputError(`an array of ${length} elements`);
      // A null prototype: assignments cannot reach setters a submission put on Array.prototype.
      const out: unknown[] = [];
      ObjectSetPrototypeOf(out, null);
      memo.set(v, out);
      for (let i = 0; i < length; i++) out[i] = walk(source[i], depth + 1);
      return out;
    }
    // Null-prototype copies: no setter a submission put on Object.prototype runs while copying.
    const copyOwn = (target: Record<string, unknown>): Record<string, unknown> => {
      const keys = ObjectKeys(v as object);
      for (let i = 0; i < keys.length; i++) target[keys[i]!] = walk((v as Record<string, unknown>)[keys[i]!], depth + 1);
      return target;
    };
    if (proto === ObjectPrototype || proto === null) {
      const out = ObjectCreate(null) as Record<string, unknown>;
      memo.set(v, out);
      return copyOwn(out);
    }
    const marker: Marker = { kind: 'handle', id: handleFor(v), gen: 0, what: describeInstance(v as object) };
    const wrapped = { [MARKER]: marker };
    memo.set(v, wrapped);
    marker.data = copyOwn(ObjectCreate(null) as Record<string, unknown>);
    return wrapped;
  };
  return walk(value, 0);
}

function describeInstance(value: object): string {
  try {
    const ctor = readProperty(ObjectGetPrototypeOf(value) as object, 'constructor');
    const name = typeof ctor === 'function' ? readProperty(ctor, 'name') : undefined;
    return typeof name === 'string' && name !== '' ? `an instance of ${clip(name, 60)}` : 'an object with a prototype';
  } catch {
    return 'an object with a prototype';
  }
}

interface CallContext {
  id: number;
  /** Markers replaced by live values, and the markers to send back for them. */
  known: SafeMap<unknown, unknown>;
  rngs: { drawn: number }[];
}

let randomModule: { createRng: (seed: string) => CountableRng } | null = null;
const replicas = new SafeMap<string, { rng: CountableRng; position: number }>();

function replicaRng(seed: string, drawn: number, context: CallContext): CountableRng {
  if (!randomModule) throw new LinkError('load', 'lib/random.ts could not be loaded');
  let replica = replicas.get(seed);
  if (!replica || replica.position > drawn) {
    replica = { rng: randomModule.createRng(seed), position: 0 };
    replicas.set(seed, replica);
  }
  advanceRng(replica.rng, drawn - replica.position);
  replica.position = drawn;
  const counter = { drawn: 0 };
  append(context.rngs, counter);
  const own = replica;
  const tracker = {
    get drawn() {
      return counter.drawn;
    },
    set drawn(v: number) {
      own.position += v - counter.drawn;
      counter.drawn = v;
    },
  };
  return countingRng(own.rng, tracker);
}

/** Replaces markers in a decoded argument tree with live values, in place. */
function decodeArgs(root: unknown, context: CallContext, callbackArgs?: unknown[]): unknown {
  const seen = new SafeSet<unknown>();
  const resolve = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const marker = (v as Record<string, unknown>)[MARKER] as Marker | undefined;
    if (marker !== undefined && ObjectKeys(v).length === 1) {
      let live: unknown;
      if (marker.kind === 'handle') {
        if (!handles.has(marker.id)) throw new LinkError('stale', 'a value that your code returned earlier is no longer available (its sandbox was restarted after a failure)');
        live = handles.get(marker.id);
      } else if (marker.kind === 'rng') {
        live = replicaRng(marker.seed, marker.drawn, context);
      } else if (marker.kind === 'callback') {
        live = callbackStub(marker.index, marker.name, context);
      } else if (marker.kind === 'argref' && callbackArgs && ArrayIsArray(marker.path)) {
        live = callbackArgs;
        for (let i = 0; i < marker.path.length && live !== null && typeof live === 'object'; i++) {
          live = readProperty(live, StringCtor(marker.path[i]));
        }
        return live;
      } else {
        live = undefined;
      }
      context.known.set(live, v);
      return live;
    }
    if (seen.has(v)) return v;
    seen.add(v);
    if (ArrayIsArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = resolve(v[i]);
    } else if (!ArrayBufferIsView(v) && !isAnyArrayBuffer(v)) {
      const keys = ObjectKeys(v);
      for (let i = 0; i < keys.length; i++) (v as Record<string, unknown>)[keys[i]!] = resolve((v as Record<string, unknown>)[keys[i]!]);
    }
    return v;
  };
  return resolve(root);
}

function callbackStub(index: number, name: string, context: CallContext): (...args: unknown[]) => unknown {
  const stub = (...args: unknown[]): unknown => {
    let body: Uint8Array;
    try {
      body = serialize({ args: encodeValue(args, context.known) });
    } catch (error) {
      throw new TypeError(`${name}: its arguments cannot be passed to the test's function (${safeString(readProperty(error as object, 'message'))})`);
    }
    send({ t: 'callback', id: context.id, index }, body);
    for (;;) {
      const frame = readFrame();
      if (!frame) realExit(0);
      const { header } = frame!;
      if (header.t === 'cbreturn' && header.id === context.id) {
        const decoded = deserialize(frame!.body) as { value: unknown };
        return decodeArgs(decoded.value, context, args);
      }
      if (header.t === 'cbthrow' && header.id === context.id) throw new Error(header.message);
      dispatchSync(frame!);
    }
  };
  ObjectDefineProperty(stub, 'name', { value: name });
  return stub;
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------
const namespaces = new SafeMap<string, Record<string, unknown>>();

async function handleLoad(id: number, path: string): Promise<void> {
  try {
    if (!manifest.files[path]) refreshManifest();
    await linkAhead(path);
    await loadModule(path);
    const ns = modules.get(path)!.namespace as Record<string, unknown>;
    namespaces.set(path, ns);
    const exports: Record<string, string> = {};
    const names = ObjectKeys(ns);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      let kind: string;
      try {
        kind = typeof ns[name];
      } catch {
        kind = 'uninitialized';
      }
      ObjectDefineProperty(exports, name, { value: kind, enumerable: true, writable: true, configurable: true });
    }
    send({ t: 'loaded', id, exports });
  } catch (error) {
    if (error instanceof LinkError) {
      moduleFailures.set(path, error);
      fail(id, error.kind, error.message);
      return;
    }
    const info = thrownInfo(error);
    const kind: SandboxFailureKind = info.code === 'ERR_ACCESS_DENIED' ? 'access' : info.builtin === 'SyntaxError' && info.frames.length === 0 ? 'compile' : 'load';
    const what = info.form === 'error' ? `${info.name}: ${info.message}` : `the value ${info.message}`;
    const where = info.frames.length > 0 ? `\n  ${info.frames.join('\n  ')}` : '';
    const message = kind === 'compile' ? `${displayPath(path)} does not compile: ${what}` : `${displayPath(path)} threw while loading: ${what}${where}`;
    fail(id, kind, message);
  }
}

function handleCall(frame: Frame & { header: Extract<ToSandbox, { t: 'call' }> }): void {
  const { id, module, fn } = frame.header;
  const ns = namespaces.get(module);
  if (!ns) {
    fail(id, 'load', `${displayPath(module)} is not loaded`);
    return;
  }
  let target: unknown;
  try {
    target = ns[fn];
  } catch {
    target = undefined;
  }
  if (frame.header.read === true) {
    try {
      send({ t: 'return', id, rng: [], writeback: false }, serialize({ value: encodeValue(target, new SafeMap()) }));
    } catch (error) {
      fail(id, 'output', `${fn} cannot be read: ${safeString(readProperty(error as object, 'message'))}`);
    }
    return;
  }
  if (typeof target !== 'function') {
    const names = ObjectKeys(ns);
    let has = false;
    for (let i = 0; i < names.length; i++) if (names[i] === fn) has = true;
    fail(
      id,
      'missing-export',
      has ? `${displayPath(module)} exports ${fn}, but as ${describeValue(target)}, not a function` : `${displayPath(module)} has no export named ${fn}`,
    );
    return;
  }
  const context: CallContext = { id, known: new SafeMap(), rngs: [] };
  let args: unknown[];
  try {
    const decoded = deserialize(frame.body) as { args: unknown[] };
    args = decodeArgs(decoded.args, context) as unknown[];
  } catch (error) {
    fail(id, error instanceof LinkError ? error.kind : 'load', safeString(readProperty(error as object, 'message')));
    return;
  }
  let result: unknown;
  printed = 0;
  try {
    result = ReflectApply(target as (...a: unknown[]) => unknown, undefined, args);
  } catch (thrown) {
    if (printed > manifest.outputBytes) {
      fail(id, 'output', `${fn} printed more than ${megabytes(manifest.outputBytes)} during one call (${megabytes(printed)})`);
      return;
    }
    const info = thrownInfo(thrown);
    if (info.code === 'ERR_ACCESS_DENIED') {
      fail(id, 'access', `access denied: ${info.message}`);
      return;
    }
    if (info.builtin === 'RangeError' && info.message === 'Array buffer allocation failed') {
      fail(id, 'memory', `${fn} exceeded the memory limit (an array allocation failed)`);
      return;
    }
    // A function that throws may still have changed its arguments (x left perturbed): say so.
    let after: unknown[] | undefined;
    try {
      const encoded = encodeValue(args, context.known) as unknown[];
      if (!sameBytes(serialize({ args: encoded }), frame.body)) after = encoded;
    } catch {
      after = undefined;
    }
    send({ t: 'throw', id }, serialize(after ? { ...info, args: after } : info));
    return;
  }
  if (printed > manifest.outputBytes) {
    fail(id, 'output', `${fn} printed more than ${megabytes(manifest.outputBytes)} during one call (${megabytes(printed)})`);
    return;
  }
  let body: Uint8Array;
  let writeback = false;
  try {
    const value = encodeValue(result, context.known);
    const after = encodeValue(args, context.known);
    const afterBytes = serialize({ args: after });
    writeback = !sameBytes(afterBytes, frame.body);
    body = serialize(writeback ? { value, args: after } : { value });
  } catch (error) {
    if (error instanceof OutputError) {
      fail(id, 'output', `${fn} returned ${error.message}`);
    } else {
      const info = thrownInfo(error);
      if (info.builtin === 'RangeError' && /allocation failed|Invalid array buffer length|Invalid string length/.test(info.message)) {
        fail(id, 'memory', `${fn} returned a value too large to copy (${info.message})`);
      } else {
        fail(id, 'output', `${fn} returned a value that cannot be read: ${info.form === 'error' ? `${info.name}: ${info.message}` : info.message}`);
      }
    }
    return;
  }
  if (body.byteLength > MAX_BODY_BYTES) {
    fail(id, 'output', `${fn} returned ${(body.byteLength / 1048576).toFixed(0)} MB of data, more than the ${MAX_BODY_BYTES / 1048576} MB limit`);
    return;
  }
  const drawn: number[] = [];
  for (let i = 0; i < context.rngs.length; i++) append(drawn, context.rngs[i]!.drawn);
  send({ t: 'return', id, rng: drawn, writeback }, body);
}

const BufferCompare = Buffer.compare;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && BufferCompare(a, b) === 0;
}

function dispatchSync(frame: Frame): void {
  const { header } = frame;
  switch (header.t) {
    case 'call':
      handleCall(frame as Frame & { header: Extract<ToSandbox, { t: 'call' }> });
      return;
    case 'release':
      for (let i = 0; ArrayIsArray(header.handles) && i < header.handles.length; i++) {
        const value = handles.get(header.handles[i]!);
        handles.delete(header.handles[i]!);
        handleIds.delete(value);
      }
      return;
    case 'load':
      fail(header.id, 'load', 'a module cannot be loaded while a callback is running');
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Hardening, then the loop
// ---------------------------------------------------------------------------------------------
function denied(what: string): () => never {
  return () => {
    const error = new Error(`access denied: ${what} is not available to a submission`);
    (error as { code?: string }).code = 'ERR_ACCESS_DENIED';
    throw error;
  };
}

/** Bytes printed through process.stdout / process.stderr (and so console) since the call began. */
let printed = 0;
const bufferByteLengthOf = Buffer.byteLength;

function countPrints(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      try {
        printed += typeof chunk === 'string' ? bufferByteLengthOf(chunk) : ArrayBufferIsView(chunk) ? (chunk as Uint8Array).byteLength : 0;
      } catch {
        /* uncountable: the helper's own count still applies */
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

function megabytes(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1).replace(/\.0$/, '')} MB` : `${Math.round(bytes / 1024)} KB`;
}

function harden(): void {
  countPrints();
  const proc = process as unknown as Record<string, unknown>;
  for (const key of ['kill', '_kill', 'dlopen', 'binding', '_linkedBinding', 'getBuiltinModule', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups', 'chdir', '_debugProcess', '_startProfilerIdleNotifier', 'openStdin']) {
    try {
      ObjectDefineProperty(proc, key, { value: denied(`process.${key}`), configurable: true, writable: true });
    } catch {
      /* not present on this platform */
    }
  }
  try {
    ObjectDefineProperty(proc, 'stdin', { get: denied('process.stdin'), configurable: false });
  } catch {
    /* already materialized */
  }
  const global = globalThis as unknown as Record<string, unknown>;
  for (const key of ['fetch', 'WebSocket', 'EventSource', 'Request', 'Response', 'Headers', 'FormData']) {
    try {
      delete global[key];
    } catch {
      /* not configurable */
    }
  }
  // A stray promise rejection in the submission must not end the session.
  process.on('unhandledRejection', () => {});
  process.on('uncaughtException', () => {});
}

/**
 * Loads the kit's library before anything else (and before saying ready): every exercise imports
 * it, a spare process does this while it waits for its exercise, and lib/random.js (for replicated
 * generators) runs while the globals are still pristine.
 */
async function loadLibrary(): Promise<void> {
  try {
    await loadModule('lib/index.js');
  } catch {
    /* a submission's import of lib/ reports it */
  }
  try {
    await loadModule('lib/random.js');
    randomModule = modules.get('lib/random.js')!.namespace as unknown as { createRng: (seed: string) => CountableRng };
  } catch {
    randomModule = null;
  }
}

async function main(): Promise<void> {
  harden();
  await loadLibrary();
  send({ t: 'ready', pid: process.pid });
  for (;;) {
    const frame = readFrame();
    if (!frame) break;
    const { header } = frame;
    if (header.t === 'load') await handleLoad(header.id, header.module);
    else dispatchSync(frame);
  }
  realExit(0);
}

void main();
