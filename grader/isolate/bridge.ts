/**
 * The bridge: the kit's code inside a submission's V8 isolate (one isolate per exercise, see
 * grader/sandbox-process/host.ts). It runs before the submission's modules and is the only thing
 * the host calls: it turns the arguments the host copied in into what the submission expects
 * (generators, test functions, the objects it returned earlier), calls the function, and turns
 * what comes back into plain data the host can copy out.
 *
 * It shares its realm with the submission, which may patch any global, so nothing it says is
 * believed: the host copies its answers out as data, and the test worker validates them. It uses
 * only built-ins captured before the submission runs, and builds its answers from objects with no
 * prototype, defined property by property, so a patched prototype (setters, `toJSON`, indexed
 * accessors on Array.prototype) cannot bend an honest answer.
 *
 * What the isolate has: the language's built-ins, `console` (captured, bounded), lib/ and the
 * submission's own files. What it has not: `process`, `require`, timers, the file system, the
 * network, workers, WebAssembly, SharedArrayBuffer and Atomics (nothing can sleep or wait), and
 * FinalizationRegistry (its callbacks would run as tasks of their own, between requests, where no
 * CPU limit watches them, and be charged to whichever call comes next).
 */
import { advanceRng, createRng, drawsOf, type Rng } from '../../lib/random.ts';
import { numericalGradientOf, type NumericalGradientOptions } from '../../lib/testing/gradcheck.ts';
import { MAX_REPEATED_CALLS } from '../../lib/testing/repeat.ts';
import { rebuildTestFunction, testFunctionState, type TestFunctionDescription, type TestFunctionState } from '../../lib/testing/functions.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { MAX_PLAIN_VALUES, MAX_STRING_CHARS, MAX_TYPED_VALUES, TOO_MANY_CHARS, TOO_MANY_PLAIN, TOO_MANY_TYPED } from '../shared/limits.ts';
import { MARKER, type Marker } from '../shared/markers.ts';
import { structuredCloneForSubmissions } from './structured-clone.ts';

// ---------------------------------------------------------------------------------------------
// Built-ins, captured before any submission code runs.
// ---------------------------------------------------------------------------------------------
const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const ObjectCreate = Object.create;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectPrototype = Object.prototype;
const ObjectKeys = Object.keys;
const ObjectHasOwn = Object.hasOwn;
const ArrayIsArray = Array.isArray;
const ArrayCtor = Array;
const ArrayBufferCtor = ArrayBuffer;
const ArrayBufferSlice = ArrayBuffer.prototype.slice;
const ArrayBufferByteLength = ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
const PromisePrototype = Promise.prototype;
const ErrorPrototype = Error.prototype;
const StringCtor = String;
const StringSlice = String.prototype.slice;
const StringSplit = String.prototype.split;
const StringIncludes = String.prototype.includes;
const StringTrim = String.prototype.trim;
const FunctionToString = Function.prototype.toString;
const NumberIsInteger = Number.isInteger;
const JSONStringify = JSON.stringify;
const MapCtor = Map;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapHas = Map.prototype.has;
const mapClear = Map.prototype.clear;
const typedArrayTag = ObjectGetOwnPropertyDescriptor(ObjectGetPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag)!.get!;
const typedArrayLength = ObjectGetOwnPropertyDescriptor(ObjectGetPrototypeOf(Uint8Array.prototype) as object, 'length')!.get!;
const TYPED_ARRAYS: Record<string, new (source: ArrayLike<number>) => ArrayLike<number>> = {
  Float64Array,
  Float32Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
};
const BUILTIN_ERRORS: [string, object][] = [
  ['RangeError', RangeError.prototype],
  ['TypeError', TypeError.prototype],
  ['SyntaxError', SyntaxError.prototype],
  ['ReferenceError', ReferenceError.prototype],
  ['EvalError', EvalError.prototype],
  ['URIError', URIError.prototype],
  ['Error', Error.prototype],
];

/** A Map whose methods the submission cannot replace (Map.prototype may be patched). */
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
  clear(): void {
    ReflectApply(mapClear, this.#map, []);
  }
}

/** A fresh object with no prototype, filled with own data properties (no setter can intervene). */
function record(entries: [string, unknown][]): Record<string, unknown> {
  const out = ObjectCreate(null) as Record<string, unknown>;
  for (let i = 0; i < entries.length; i++) define(out, entries[i]![0], entries[i]![1]);
  return out;
}

/** Defines an own data property; the descriptor has no prototype, so no `get` or `set` can be inherited into it. */
function define(target: object, key: string | number, value: unknown): void {
  ObjectDefineProperty(target, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
}

function list(length: number): unknown[] {
  return new ArrayCtor(length) as unknown[];
}

/** Appends without Array.prototype's push (it may be patched). */
function append<T>(array: T[], value: T): void {
  define(array, array.length, value);
}

/** `[...path, key]` without the iterator protocol (it may be patched). */
function extend(path: readonly (string | number)[], key: string | number): (string | number)[] {
  const out = list(path.length + 1) as (string | number)[];
  for (let i = 0; i < path.length; i++) define(out, i, path[i]);
  define(out, path.length, key);
  return out;
}

function clip(text: unknown, max: number): string {
  let s: string;
  try {
    s = typeof text === 'string' ? text : StringCtor(text);
  } catch {
    s = '[a value that cannot be turned into text]';
  }
  return s.length > max ? `${ReflectApply(StringSlice, s, [0, max]) as string}…` : s;
}

// ---------------------------------------------------------------------------------------------
// The isolate's globals: console is ours, and nothing can sleep, wait or compile WebAssembly.
// ---------------------------------------------------------------------------------------------

let outputLimit = 1024 * 1024;
let stdout = '';
let stderr = '';
let printed = 0;

function format(args: unknown[]): string {
  let line = '';
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    let s: string;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'object' && v !== null) {
      try {
        s = JSONStringify(v, (_k, value: unknown) => (typeof value === 'bigint' ? `${StringCtor(value)}n` : value)) ?? clip(v, 200);
      } catch {
        s = clip(v, 200);
      }
    } else s = clip(v, 200);
    line += i === 0 ? s : ` ${s}`;
  }
  return `${line}\n`;
}

function printer(stream: 'out' | 'err'): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    const text = format(args);
    printed += text.length;
    const room = outputLimit - stdout.length - stderr.length;
    if (room <= 0) return;
    const kept = text.length > room ? (ReflectApply(StringSlice, text, [0, room]) as string) : text;
    if (stream === 'out') stdout += kept;
    else stderr += kept;
  };
}

const consoleObject = record([
  ['log', printer('out')],
  ['info', printer('out')],
  ['debug', printer('out')],
  ['table', printer('out')],
  ['dir', printer('out')],
  ['error', printer('err')],
  ['warn', printer('err')],
  ['trace', printer('err')],
]);
for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry']) delete (globalThis as Record<string, unknown>)[name];
ObjectDefineProperty(globalThis, 'console', { __proto__: null, value: consoleObject, writable: true, enumerable: false, configurable: true } as PropertyDescriptor);
// Node's structuredClone, which code that passes in Node may use (structured-clone.ts).
ObjectDefineProperty(globalThis, 'structuredClone', { __proto__: null, value: structuredCloneForSubmissions, writable: true, enumerable: false, configurable: true } as PropertyDescriptor);

// ---------------------------------------------------------------------------------------------
// Handles: objects with behaviour stay here; the trusted side holds their ids.
// ---------------------------------------------------------------------------------------------

const handles = new SafeMap<number, object>();
const handleIds = new SafeMap<object, number>();
let nextHandle = 1;

function handleFor(value: object, what: string, data?: Record<string, unknown>): Record<string, unknown> {
  let id = handleIds.get(value);
  if (id === undefined) {
    id = nextHandle++;
    handles.set(id, value);
    handleIds.set(value, id);
  }
  const marker: Record<string, unknown> = record([
    ['kind', 'handle'],
    ['id', id],
    ['what', what],
  ]);
  if (data !== undefined) define(marker, 'data', data);
  return record([[MARKER, marker]]);
}

/** Forgets every handle (a new test file starts: nothing it receives can name an older object). */
export function forget(): void {
  handles.clear();
  handleIds.clear();
}

// ---------------------------------------------------------------------------------------------
// Out: what the submission returned, as plain data.
// ---------------------------------------------------------------------------------------------

class OutputError extends Error {}

const MAX_DEPTH = 64;
const MAX_NODES = 16_000_000;

interface OutState {
  nodes: number;
  /**
   * Values in arrays and objects, and typed-array elements, copied so far: a result stops at the
   * limits of grader/shared/limits.ts (`limited`); changed arguments and test-function states are
   * copied whole (the test worker counts them with the result, and says which it was).
   */
  limited: boolean;
  plain: number;
  typed: number;
  /** Characters of the strings copied so far, each reference counted: limited always. */
  chars: number;
  seen: SafeMap<object, unknown>;
  /** Objects that stand for markers the trusted side sent (generators, test functions, handles). */
  originals: SafeMap<object, Record<string, unknown>>;
}

/** 'an object', 'a Counter', 'an Error': what kind of object a value is, in words. */
function kindOf(value: object): string {
  try {
    const proto = ObjectGetPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
    if (proto === null || proto === ObjectPrototype) return 'an object';
    const name = ObjectHasOwn(proto, 'constructor') ? proto.constructor?.name : undefined;
    if (typeof name !== 'string' || name === '') return 'an object';
    const shown = clip(name, 40);
    return /^[AEIOUaeiou]/.test(shown) ? `an ${shown}` : `a ${shown}`;
  } catch {
    return 'an object';
  }
}

/** Own enumerable data of an object with behaviour, copied shallowly enough to read. */
function ownData(value: object, state: OutState, depth: number): Record<string, unknown> | undefined {
  const keys = ObjectKeys(value);
  if (keys.length === 0) return undefined;
  const data = ObjectCreate(null) as Record<string, unknown>;
  for (let i = 0; i < keys.length && i < 64; i++) {
    const key = keys[i]!;
    define(data, key, toData((value as Record<string, unknown>)[key], state, depth + 1));
  }
  return data;
}

function toData(value: unknown, state: OutState, depth: number): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    state.chars += value.length;
    if (state.chars > MAX_STRING_CHARS) throw new OutputError(TOO_MANY_CHARS);
    return value;
  }
  if (typeof value === 'bigint' || typeof value === 'symbol') {
    return record([[MARKER, record([['kind', 'unsupported'], ['what', `a ${typeof value}`]])]]);
  }
  if (++state.nodes > MAX_NODES) throw new OutputError(`a result with more than ${MAX_NODES} values`);
  if (depth > MAX_DEPTH) throw new OutputError(`a result nested more than ${MAX_DEPTH} levels deep`);
  const original = state.originals.get(value as object);
  if (original !== undefined) return original;
  if (state.seen.has(value as object)) return state.seen.get(value as object);
  if (typeof value === 'function') return handleFor(value, 'a function');
  const object = value as object;
  let tag: unknown;
  try {
    tag = ReflectApply(typedArrayTag, object, []);
  } catch {
    tag = undefined;
  }
  if (typeof tag === 'string' && ObjectHasOwn(TYPED_ARRAYS, tag)) {
    const length = ReflectApply(typedArrayLength, object, []) as number;
    state.nodes += length;
    state.typed += length;
    if (state.limited && state.typed > MAX_TYPED_VALUES) throw new OutputError(TOO_MANY_TYPED);
    if (state.nodes > MAX_NODES) throw new OutputError(`a result with more than ${MAX_NODES} values`);
    const copy = new TYPED_ARRAYS[tag]!(object as ArrayLike<number>);
    state.seen.set(object, copy);
    return copy;
  }
  let proto: unknown;
  try {
    proto = ObjectGetPrototypeOf(object);
  } catch {
    throw new OutputError('an object whose prototype cannot be read');
  }
  if (proto === ArrayBufferCtor.prototype) {
    const copy = ReflectApply(ArrayBufferSlice, object, [0, ReflectApply(ArrayBufferByteLength, object, [])]);
    state.seen.set(object, copy);
    return copy;
  }
  if (proto === PromisePrototype) throw new OutputError('a Promise: return the value itself (the exercises are synchronous)');
  if (ArrayIsArray(object)) {
    const source = object as unknown[];
    const length = source.length;
    if (!NumberIsInteger(length) || length < 0 || length > MAX_NODES) throw new OutputError('an array with an impossible length');
    state.plain += length;
    if (state.limited && state.plain > MAX_PLAIN_VALUES) throw new OutputError(TOO_MANY_PLAIN);
    const out = list(length);
    state.seen.set(object, out);
    for (let i = 0; i < length; i++) define(out, i, toData(source[i], state, depth + 1));
    return out;
  }
  if (proto === ObjectPrototype || proto === null) {
    const out = ObjectCreate(null) as Record<string, unknown>;
    state.seen.set(object, out);
    const keys = ObjectKeys(object);
    state.plain += keys.length;
    if (state.limited && state.plain > MAX_PLAIN_VALUES) throw new OutputError(TOO_MANY_PLAIN);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === MARKER) continue;
      state.chars += key.length;
      if (state.chars > MAX_STRING_CHARS) throw new OutputError(TOO_MANY_CHARS);
      define(out, key, toData((object as Record<string, unknown>)[key], state, depth + 1));
    }
    return out;
  }
  // A class instance, a Map, a Date, an Error…: behaviour stays here, its own data is readable.
  const marker = handleFor(object, kindOf(object));
  state.seen.set(object, marker);
  const data = ownData(object, state, depth);
  if (data !== undefined) define((marker[MARKER] as Record<string, unknown>), 'data', data);
  return marker;
}

// ---------------------------------------------------------------------------------------------
// In: the arguments the host copied in, with markers replaced by what they stand for.
// ---------------------------------------------------------------------------------------------

class StaleError extends Error {}

interface Substituted {
  /** Generators made from markers: where they sit in the arguments and how far they had drawn. */
  rngs: { path: (string | number)[]; rng: Rng; drawn: number }[];
  functions: { path: (string | number)[]; fn: unknown }[];
  originals: SafeMap<object, Record<string, unknown>>;
}

function markerOf(value: object): Marker | null {
  if (!ObjectHasOwn(value, MARKER)) return null;
  const keys = ReflectOwnKeys(value);
  return keys.length === 1 ? ((value as Record<string, unknown>)[MARKER] as Marker) : null;
}

function fromMarker(marker: Marker, path: (string | number)[], sub: Substituted): unknown {
  switch (marker.kind) {
    case 'handle': {
      const target = handles.get(marker.id);
      if (target === undefined) throw new StaleError('a value from an earlier run of this code, which was stopped');
      return target;
    }
    case 'rng': {
      const rng = createRng(marker.seed);
      advanceRng(rng, marker.drawn);
      append(sub.rngs, { path, rng, drawn: marker.drawn });
      return rng;
    }
    case 'test-function': {
      const description = record([
        ['table', marker.table],
        ['name', marker.name],
        ['params', marker.params],
      ]);
      if (marker.records) define(description, 'records', true);
      if (typeof marker.failsOnCall === 'number') define(description, 'failsOnCall', marker.failsOnCall);
      const fn = rebuildTestFunction(description as unknown as TestFunctionDescription, marker.state as unknown as TestFunctionState);
      append(sub.functions, { path, fn });
      return fn;
    }
    default:
      return undefined;
  }
}

/** Replaces markers inside the copied arguments, in place (they are fresh copies, ours alone). */
function substitute(value: unknown, path: (string | number)[], sub: Substituted, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  const marker = markerOf(value);
  if (marker !== null) {
    const replacement = fromMarker(marker, path, sub);
    if (replacement !== null && typeof replacement === 'object') sub.originals.set(replacement, value as Record<string, unknown>);
    if (typeof replacement === 'function') sub.originals.set(replacement, value as Record<string, unknown>);
    return replacement;
  }
  if (ArrayIsArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = substitute(value[i], extend(path, i), sub, depth + 1);
    return value;
  }
  let tag: unknown;
  try {
    tag = ReflectApply(typedArrayTag, value, []);
  } catch {
    tag = undefined;
  }
  if (tag !== undefined) return value;
  const keys = ObjectKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    (value as Record<string, unknown>)[key] = substitute((value as Record<string, unknown>)[key], extend(path, key), sub, depth + 1);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Thrown values, described.
// ---------------------------------------------------------------------------------------------

function describeThrown(error: unknown): Record<string, unknown> {
  let form: 'error' | 'value' = 'value';
  let builtin = 'Error';
  let name = '';
  let message = '';
  let frames: string[] = [];
  try {
    if (error !== null && typeof error === 'object') {
      let proto = ObjectGetPrototypeOf(error) as object | null;
      for (let hops = 0; proto !== null && hops < 32 && form === 'value'; hops++) {
        for (let b = 0; b < BUILTIN_ERRORS.length; b++) {
          if (proto === BUILTIN_ERRORS[b]![1]) {
            form = 'error';
            builtin = BUILTIN_ERRORS[b]![0];
            break;
          }
        }
        proto = ObjectGetPrototypeOf(proto) as object | null;
      }
    }
    if (form === 'error') {
      const e = error as { name?: unknown; message?: unknown; stack?: unknown };
      name = clip(e.name, 100);
      message = clip(e.message, 2000);
      const stack = clip(e.stack, 20_000);
      const lines = ReflectApply(StringSplit, stack, ['\n']) as string[];
      frames = [];
      for (let i = 0; i < lines.length && frames.length < 12; i++) {
        const line = lines[i]!;
        if (ReflectApply(StringIncludes, line, ['file:///exercises/'])) append(frames, clip(ReflectApply(StringTrim, line, []), 300));
      }
    } else {
      name = '';
      message = typeof error === 'object' && error !== null ? `threw ${kindOf(error)}, which is not an Error` : `threw ${clip(typeof error === 'string' ? JSONStringify(error) : error, 200)}, which is not an Error`;
    }
  } catch {
    message = 'threw a value whose properties cannot be read';
  }
  const framesOut = list(frames.length);
  for (let i = 0; i < frames.length; i++) define(framesOut, i, frames[i]);
  return record([
    ['form', form],
    ['builtin', builtin],
    ['name', name],
    ['message', message],
    ['frames', framesOut],
  ]);
}

// ---------------------------------------------------------------------------------------------
// What the host calls.
// ---------------------------------------------------------------------------------------------

const modules = new SafeMap<string, Record<string, unknown>>();

/**
 * Keeps a loaded module's namespace under its path and tells the kind of each export (the host
 * calls this once per module, after evaluating it).
 */
export function register(path: string, namespace: Record<string, unknown>): Record<string, unknown> {
  modules.set(path, namespace);
  const kinds = ObjectCreate(null) as Record<string, unknown>;
  const names = ObjectKeys(namespace);
  for (let i = 0; i < names.length; i++) {
    let value: unknown;
    try {
      value = namespace[names[i]!];
    } catch {
      // An export still in its temporal dead zone: the module's top-level code has not finished.
      define(kinds, names[i]!, 'pending');
      continue;
    }
    let isClass = false;
    if (typeof value === 'function') {
      try {
        const head = ReflectApply(StringSlice, ReflectApply(FunctionToString, value, []), [0, 6]) as string;
        isClass = head === 'class ' || head === 'class{';
      } catch {
        isClass = false;
      }
    }
    define(kinds, names[i]!, isClass ? 'class' : typeof value === 'function' ? 'function' : 'value');
  }
  return kinds;
}

/** Sets what one request may print (the host passes its limit once). */
export function configure(limit: number): void {
  outputLimit = limit;
}

function startRequest(): void {
  stdout = '';
  stderr = '';
  printed = 0;
}

function prints(): Record<string, unknown> {
  return record([
    ['stdout', stdout],
    ['stderr', stderr],
    ['bytes', printed],
  ]);
}

function exportOf(path: string, name: string): unknown {
  const namespace = modules.get(path);
  if (namespace === undefined) throw new OutputError(`no module ${path}`);
  return namespace[name];
}

function failure(kind: string, message: string): Record<string, unknown> {
  return record([
    ['ok', false],
    ['failure', kind],
    ['message', message],
    ['prints', prints()],
  ]);
}

/** After a call: the arguments as data (for the host's check of what changed), draws and states. */
// ---------------------------------------------------------------------------------------------
// Fingerprints: whether a call changed its arguments, without copying them out every time.
// ---------------------------------------------------------------------------------------------

const MathImul = Math.imul;
const Uint32ArrayCtor = Uint32Array;
const Uint8ArrayCtor = Uint8Array;
const typedArrayBuffer = ObjectGetOwnPropertyDescriptor(ObjectGetPrototypeOf(Uint8Array.prototype) as object, 'buffer')!.get!;
const typedArrayByteOffset = ObjectGetOwnPropertyDescriptor(ObjectGetPrototypeOf(Uint8Array.prototype) as object, 'byteOffset')!.get!;
const typedArrayByteLength = ObjectGetOwnPropertyDescriptor(ObjectGetPrototypeOf(Uint8Array.prototype) as object, 'byteLength')!.get!;
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/**
 * A 32-bit FNV-style hash of a value's data: every number's bits (so −0, NaN payloads and any
 * change count), every string, the keys and the order of arrays and objects, typed arrays word by
 * word. Taken before and after a call: a difference sends the arguments back for the trusted side
 * to write back. (A submission that changes its input and forges an equal hash only escapes its
 * own purity tests; it gains nothing else.)
 */
function fingerprint(value: unknown, hash: number, depth: number, originals: SafeMap<object, Record<string, unknown>>): number {
  const mix = (h: number, word: number): number => MathImul(h ^ word, 16777619) >>> 0;
  if (typeof value === 'number') {
    scratch[0] = value;
    return mix(mix(hash, scratchWords[0]!), scratchWords[1]!);
  }
  if (typeof value === 'string') {
    let h = mix(hash, value.length);
    for (let i = 0; i < value.length; i++) h = mix(h, value.charCodeAt(i));
    return h;
  }
  if (value === null || typeof value !== 'object') return mix(hash, value === undefined ? 1 : value === null ? 2 : value === true ? 3 : value === false ? 4 : 5);
  if (depth > MAX_DEPTH || originals.has(value)) return mix(hash, 6);
  let tag: unknown;
  try {
    tag = ReflectApply(typedArrayTag, value, []);
  } catch {
    tag = undefined;
  }
  if (typeof tag === 'string') {
    const buffer = ReflectApply(typedArrayBuffer, value, []) as ArrayBuffer;
    const offset = ReflectApply(typedArrayByteOffset, value, []) as number;
    const bytes = ReflectApply(typedArrayByteLength, value, []) as number;
    let h = mix(hash, bytes);
    if (offset % 4 === 0 && bytes % 4 === 0) {
      const words = new Uint32ArrayCtor(buffer, offset, bytes / 4);
      for (let i = 0; i < words.length; i++) h = MathImul(h ^ words[i]!, 16777619) >>> 0;
    } else {
      const octets = new Uint8ArrayCtor(buffer, offset, bytes);
      for (let i = 0; i < octets.length; i++) h = MathImul(h ^ octets[i]!, 16777619) >>> 0;
    }
    return h;
  }
  if (ArrayIsArray(value)) {
    let h = mix(hash, value.length + 7);
    for (let i = 0; i < value.length; i++) h = fingerprint(value[i], h, depth + 1, originals);
    return h;
  }
  const keys = ObjectKeys(value);
  let h = mix(hash, keys.length + 11);
  for (let i = 0; i < keys.length; i++) h = fingerprint((value as Record<string, unknown>)[keys[i]!], fingerprint(keys[i], h, depth, originals), depth + 1, originals);
  return h;
}

function afterCall(args: unknown[], sub: Substituted, before: number): { argsOut: unknown; draws: unknown[]; states: unknown[] } {
  const state: OutState = { nodes: 0, limited: false, plain: 0, typed: 0, chars: 0, seen: new SafeMap(), originals: sub.originals };
  const argsOut = fingerprint(args, 2166136261, 0, sub.originals) === before ? undefined : toData(args, state, 0);
  const draws: unknown[] = [];
  for (let i = 0; i < sub.rngs.length; i++) {
    const entry = sub.rngs[i]!;
    append(draws, record([['path', entry.path], ['count', (drawsOf(entry.rng) ?? entry.drawn) - entry.drawn]]));
  }
  const states: unknown[] = [];
  for (let i = 0; i < sub.functions.length; i++) {
    const entry = sub.functions[i]!;
    const own = testFunctionState(entry.fn);
    if (own) append(states, record([['path', entry.path], ['state', toData(own, { nodes: 0, limited: false, plain: 0, typed: 0, chars: 0, seen: new SafeMap(), originals: new SafeMap() }, 0)]]));
  }
  return { argsOut, draws, states };
}

function runRequest(args: unknown[], body: (args: unknown[]) => unknown): Record<string, unknown> {
  startRequest();
  const sub: Substituted = { rngs: [], functions: [], originals: new SafeMap() };
  let value: unknown;
  try {
    substitute(args, [], sub, 0);
  } catch (error) {
    if (error instanceof StaleError) return failure('stale', error.message);
    throw error;
  }
  const before = fingerprint(args, 2166136261, 0, sub.originals);
  try {
    value = body(args);
  } catch (error) {
    let after: { argsOut: unknown; states: unknown[] } = { argsOut: undefined, states: [] };
    try {
      after = afterCall(args, sub, before);
    } catch {
      /* the arguments cannot be read back: nothing to write back */
    }
    return record([
      ['ok', false],
      ['thrown', describeThrown(error)],
      ['args', after.argsOut],
      ['states', after.states],
      ['prints', prints()],
    ]);
  }
  if (printed > outputLimit) return failure('output', `printed more than ${outputLimit >= 1024 * 1024 ? `${outputLimit / (1024 * 1024)} MB` : `${outputLimit} bytes`}`);
  try {
    const out = toData(value, { nodes: 0, limited: true, plain: 0, typed: 0, chars: 0, seen: new SafeMap(), originals: sub.originals }, 0);
    const { argsOut, draws, states } = afterCall(args, sub, before);
    return record([
      ['ok', true],
      ['value', out],
      ['args', argsOut],
      ['draws', draws],
      ['states', states],
      ['prints', prints()],
    ]);
  } catch (error) {
    if (error instanceof OutputError) return failure('output', `returned ${error.message}`);
    let what: string;
    try {
      what = clip((error as { message?: unknown }).message, 200);
    } catch {
      what = 'an error';
    }
    return failure('output', `returned a value that cannot be read (reading it threw: ${what})`);
  }
}

/** Calls `fn` of the module at `path` with the copied arguments. */
export function call(path: string, fn: string, args: unknown[]): Record<string, unknown> {
  const target = exportOf(path, fn);
  if (typeof target !== 'function') return failure('missing-export', `${path} has no function named ${fn}`);
  return runRequest(args, (a) => ReflectApply(target, undefined, a));
}

/**
 * The numerical gradient of `fn` of the module at `path`, computed here: `numericalGradientOf`
 * of lib/testing/gradcheck.ts, calling the function directly, 2·size times, in one request.
 */
export function gradient(path: string, fn: string, args: unknown[], options: NumericalGradientOptions): Record<string, unknown> {
  const target = exportOf(path, fn);
  if (typeof target !== 'function') return failure('missing-export', `${path} has no function named ${fn}`);
  return runRequest(args, (a) => numericalGradientOf(target as (...x: never[]) => unknown, a as never, options as NumericalGradientOptions) as Tensor);
}

/**
 * `times` calls of `fn` of the module at `path` with the same (copied) arguments, in one request:
 * `callRepeatedly` of lib/testing/repeat.ts. The results cross as one array; the generators among
 * the arguments advance by the draws of every call.
 */
export function repeat(path: string, fn: string, args: unknown[], times: number): Record<string, unknown> {
  const target = exportOf(path, fn);
  if (typeof target !== 'function') return failure('missing-export', `${path} has no function named ${fn}`);
  if (!NumberIsInteger(times) || times < 0 || times > MAX_REPEATED_CALLS) return failure('internal', `repeat: ${StringCtor(times)} calls`);
  const n = times;
  return runRequest(args, (a) => {
    const results: unknown[] = [];
    for (let i = 0; i < n; i++) append(results, ReflectApply(target, undefined, a));
    return results;
  });
}

/** Reads a value export (a constant) of the module at `path`. */
export function read(path: string, name: string): Record<string, unknown> {
  return runRequest([], () => exportOf(path, name));
}
