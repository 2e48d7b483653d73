/**
 * The conversation between a test worker (trusted, grader/test-worker/) and the sandbox process
 * (grader/sandbox-process/host.ts), shared by both ends.
 *
 * A frame is `[u32 length, little endian][v8.serialize(message)]`. Both ends are the kit's own
 * code in Node's own realm: the submission runs inside a V8 isolate of the sandbox process and
 * never touches a frame (it has no file descriptors, no `process`, no buffers of the host). What
 * its functions return reaches the host as a structured-clone copy, which the host serializes.
 * The test worker still treats every frame as untrusted data and validates what it decodes.
 *
 * Values that cannot be copied stay on their side behind a *marker*, an object whose only key is
 * `MARKER` (see `Marker`).
 */

import { serialize } from 'node:v8';

export { MARKER, type Marker } from './markers.ts';

/** Limits the sandbox process enforces on the submission, from inside (see host.ts). */
export interface SandboxLimits {
  /** CPU time one call may use, ms (counted from the sandbox process's own CPU clock). */
  callCpuMs: number;
  /** CPU time loading one exercise's modules (their top-level code) may use, ms. */
  loadCpuMs: number;
  /** Heap and buffers of one exercise's isolate, MB. */
  memoryMb: number;
  /** What one call may print, bytes. */
  outputBytes: number;
  /** Largest result (or thrown description) one call may send back, bytes. */
  resultBytes: number;
}

/** A module the isolate can load: its JavaScript, and the source map back to the `.ts` file. */
export interface ModuleSource {
  code: string;
  map?: string;
  /** Set when the file does not parse: importing it fails with this message. */
  error?: string;
}

/** Frames from the test worker to the sandbox process. */
export type ToSandbox =
  | {
      t: 'init';
      limits: SandboxLimits;
      /** The in-isolate bridge (grader/isolate/bridge.ts, bundled). */
      bridge: string;
      /** Kit modules by path ('lib/tensor.ts', 'node_modules/seedrandom/index.js'), transpiled. */
      kit: Record<string, ModuleSource>;
      /** The submission's modules by path ('exercises/03-batchnorm/batchnorm.ts'), transpiled. */
      submission: Record<string, ModuleSource>;
    }
  | { t: 'load'; id: number; exercise: string }
  | { t: 'call'; id: number; exercise: string; file: string; fn: string; args: unknown[] }
  | { t: 'gradient'; id: number; exercise: string; file: string; fn: string; args: unknown[]; options: GradientOptions }
  /** `times` calls of `fn` with the same arguments (lib/testing/repeat.ts's `callRepeatedly`): one reply, their results in order. */
  | { t: 'repeat'; id: number; exercise: string; file: string; fn: string; args: unknown[]; times: number }
  | { t: 'read'; id: number; exercise: string; file: string; name: string }
  /** A new test file starts: the objects kept for earlier files' handles may go (no reply). */
  | { t: 'forget' };

/** `numericalGradientOf`'s options (lib/testing/gradcheck.ts), as they cross. */
export interface GradientOptions {
  wrt: number | (string | number)[];
  output?: (string | number)[];
  dout?: unknown;
  h?: number;
}

/** How a request can fail inside the sandbox without the process dying. */
export type SandboxFailureKind =
  /** Over the CPU time of one call, or of loading. */
  | 'timeout'
  /** Over the memory limit of the exercise's isolate. */
  | 'memory'
  /** Printed too much, or returned something too large or not data (a Promise). */
  | 'output'
  /** A module of the exercise did not load (it threw at top level, or imports what it may not). */
  | 'load'
  /** An import of something a submission may not use (Node's modules, files outside the submission). */
  | 'access'
  /** The submission's file does not export the name a suite uses. */
  | 'missing-export'
  /** A handle from an isolate that has since been replaced (after a timeout or a memory failure). */
  | 'stale'
  /** The grader could not do what the request asked (a bug of the kit, not of the submission). */
  | 'internal';

/** A thrown value, described inside the isolate (every string bounded). */
export interface ThrownInfo {
  /** 'error' for an Error (or subclass), 'value' for anything else thrown. */
  form: 'error' | 'value';
  /** The nearest built-in constructor: Error, RangeError, TypeError, … */
  builtin: string;
  /** The error's own `name` (NotImplementedError, a custom class name, …). */
  name: string;
  message: string;
  /** Stack frames inside the submission's own files, mapped to their `.ts` lines. */
  frames: string[];
}

/** What one exercise's load tells about each of its files. */
export type LoadedFile =
  | { status: 'ok'; exports: Record<string, 'function' | 'class' | 'value'> }
  | { status: 'failed'; kind: 'load' | 'access' | 'timeout' | 'memory'; message: string };

/** Frames from the sandbox process to the test worker (validated before use). */
export type FromSandbox =
  | { t: 'ready'; pid: number }
  | { t: 'loaded'; id: number; files: Record<string, LoadedFile> }
  | {
      t: 'returned';
      id: number;
      value: unknown;
      /** The call's arguments after the call, present only when the function changed them. */
      args?: unknown[];
      /** Uniform draws each generator argument made, by argument path. */
      draws?: { path: (string | number)[]; count: number }[];
      /** The new state of each test-function argument that has one, by argument path. */
      states?: { path: (string | number)[]; state: Record<string, unknown> }[];
      prints: Prints;
    }
  | { t: 'threw'; id: number; error: ThrownInfo; args?: unknown[]; states?: { path: (string | number)[]; state: Record<string, unknown> }[]; prints: Prints }
  | { t: 'failed'; id: number; kind: SandboxFailureKind; message: string; prints: Prints }
  /** Written by the grading process (grader/supervisor.ts), not the sandbox: the process ended, and why. */
  | { t: 'died'; kind: 'timeout' | 'memory' | 'exit' | 'crash'; message: string };

/** What the submission printed during a request (console.log and friends), bounded. */
export interface Prints {
  stdout: string;
  stderr: string;
  /** Bytes printed in all, including what did not fit. */
  bytes: number;
}

export const NO_PRINTS: Prints = { stdout: '', stderr: '', bytes: 0 };

/** Largest frame either side accepts. */
export const MAX_FRAME_BYTES = 96 * 1024 * 1024;

/** Encodes one frame: `[u32 length][v8.serialize(message)]`. */
export function encodeFrame(message: ToSandbox | FromSandbox): Buffer {
  const body = serialize(message);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}
