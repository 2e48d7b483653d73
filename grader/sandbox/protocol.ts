/**
 * The wire format between the trusted side and a sandbox process, shared by both ends.
 *
 * A frame is `[u32 header length][u32 body length][header: JSON][body: bytes]`, little endian.
 * The header is small routing data; the body, when there is one, is a `v8.serialize`d value that
 * only the trusted test worker deserializes (the helper thread forwards bytes without reading them).
 *
 * Values cross as data. What cannot (functions, class instances, the student's own objects with
 * behaviour) stays on its side behind a *marker*: an object with the single key `MARKER` whose
 * value says what it stands for. See `client.ts` (trusted) and `runner.ts` (sandbox).
 *
 * NOTE: this module is transpiled into the sandbox as is; it may import nothing.
 */

/** The key of a marker object: `{ [MARKER]: Marker }`. Never produced by ordinary data. */
export const MARKER = '\u0000gradlab';

export type Marker =
  /** An object kept in the sandbox; `data` is a copy of its own enumerable properties, if any. */
  | { kind: 'handle'; id: number; gen: number; what: string; data?: unknown }
  /** A seeded generator replicated by seed and number of uniform draws consumed so far. */
  | { kind: 'rng'; seed: string; drawn: number }
  /** A trusted function the sandbox may call back, by index into the call's callback table. */
  | { kind: 'callback'; index: number; name: string }
  /**
   * In a callback's result: the object at `path` in the arguments the sandbox passed to that
   * callback, the very same object (a function that returns its argument must not hand back a
   * copy: the caller may rely on sharing it, or be wrong to).
   */
  | { kind: 'argref'; path: (string | number)[] }
  /** A value that cannot cross (a symbol), described. */
  | { kind: 'unsupported'; what: string };

/** Frames from the trusted side to the sandbox. */
export type ToSandbox =
  | { t: 'load'; id: number; module: string }
  | { t: 'call'; id: number; module: string; fn: string; gen: number; read?: boolean }
  | { t: 'cbreturn'; id: number }
  | { t: 'cbthrow'; id: number; message: string }
  | { t: 'release'; handles: number[] };

/** How a call or a load can fail inside the sandbox without the process dying. */
export type SandboxFailureKind =
  | 'not-implemented'
  | 'threw'
  | 'missing-export'
  | 'compile'
  | 'load'
  | 'access'
  | 'memory'
  | 'output'
  | 'stale';

/** Frames from the sandbox to the trusted side (untrusted: validate before use). */
export type FromSandbox =
  | { t: 'ready'; pid: number }
  | { t: 'loaded'; id: number; exports: Record<string, string> }
  | { t: 'return'; id: number; rng: number[]; writeback: boolean }
  | { t: 'throw'; id: number }
  | { t: 'fail'; id: number; kind: SandboxFailureKind; message: string }
  | { t: 'callback'; id: number; index: number };

/** What the sandbox sends in the body of a `throw` frame. */
export interface ThrownInfo {
  /** 'error' for an Error (or subclass), 'value' for anything else thrown. */
  form: 'error' | 'value';
  /** The nearest built-in constructor name: Error, RangeError, TypeError, … */
  builtin: string;
  /** The error's own `name` (NotImplementedError, a custom class name, …). */
  name: string;
  message: string;
  /** Stack frames inside the submission, mapped to its `.ts` files. */
  frames: string[];
  /** The error's `code` property, when it is a string (ERR_ACCESS_DENIED, …). */
  code?: string;
  /** The call's arguments after it threw, present when the function changed them first. */
  args?: unknown[];
}

/** What the sandbox sends in the body of a `return` frame. */
export interface ReturnBody {
  value: unknown;
  /** The call's arguments after the call, present when the function changed them. */
  args?: unknown[];
}

/** What the trusted side sends in the body of a `call` frame. */
export interface CallBody {
  args: unknown[];
}

/** Largest frame either side accepts: 64 MB of results is far beyond any exercise. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
export const MAX_HEADER_BYTES = 64 * 1024;

// Captured when this module loads, before any submission code runs in the sandbox: a submission
// that patches JSON, TextEncoder or typed arrays cannot change how frames are written.
const ReflectApply = Reflect.apply;
const stringify = JSON.stringify;
const textEncoder = new TextEncoder();
const encodeText = TextEncoder.prototype.encode;
const setUint32 = DataView.prototype.setUint32;
const getUint32 = DataView.prototype.getUint32;
const typedArraySet = Object.getPrototypeOf(Uint8Array.prototype).set as (this: Uint8Array, source: ArrayLike<number>, offset?: number) => void;
const byteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength')!.get!;

/** Encodes one frame. */
export function encodeFrame(header: object, body?: Uint8Array): Uint8Array {
  const head = ReflectApply(encodeText, textEncoder, [stringify(header)]) as Uint8Array;
  const headLength = ReflectApply(byteLength, head, []) as number;
  const bodyLength = body ? (ReflectApply(byteLength, body, []) as number) : 0;
  const frame = new Uint8Array(8 + headLength + bodyLength);
  const view = new DataView(frame.buffer);
  ReflectApply(setUint32, view, [0, headLength, true]);
  ReflectApply(setUint32, view, [4, bodyLength, true]);
  ReflectApply(typedArraySet, frame, [head, 8]);
  if (body) ReflectApply(typedArraySet, frame, [body, 8 + headLength]);
  return frame;
}

/** Lengths announced by a frame prefix, or an error message when they exceed the limits. */
export function frameLengths(prefix: Uint8Array): { header: number; body: number } | string {
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const header = ReflectApply(getUint32, view, [0, true]) as number;
  const body = ReflectApply(getUint32, view, [4, true]) as number;
  if (header === 0 || header > MAX_HEADER_BYTES) return `a frame header of ${header} bytes`;
  if (body > MAX_BODY_BYTES) return `a result of ${(body / 1048576).toFixed(0)} MB (the limit is ${MAX_BODY_BYTES / 1048576} MB)`;
  return { header, body };
}
