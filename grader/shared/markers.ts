/**
 * Markers: how a value that cannot be copied crosses between the test worker and the isolate.
 * A marker is an object whose only key is `MARKER`; ordinary data never has that key. Imported by
 * both ends and by the in-isolate bridge, so this module imports nothing.
 */

/** The key of a marker object: `{ [MARKER]: Marker }`. Ordinary data never has it. */
export const MARKER = '\u0000gradlab';

export type Marker =
  /** An object with behaviour kept in the isolate (a closure, a class instance); `data` copies its own data properties. */
  | { kind: 'handle'; id: number; what: string; data?: Record<string, unknown> }
  /** A seeded generator of lib/random.ts, replicated by seed and number of uniform draws. */
  | { kind: 'rng'; seed: string; drawn: number }
  /** One of the public test functions (or trainers: objects of two test functions) of lib/testing/functions.ts, rebuilt in the isolate from its description. */
  | { kind: 'test-function'; table: string; name: string; params: unknown; records?: true; failsOnCall?: number; state: { calls: unknown[]; count: number } }
  /** A value that cannot cross (a symbol, a bigint), described. */
  | { kind: 'unsupported'; what: string };
