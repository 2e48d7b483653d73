/**
 * The clock of a sandbox call, in memory shared by a test worker's main thread (which starts,
 * pauses and stops it around each call) and its helper thread (which reads it every few
 * milliseconds and kills the process when the call runs out of time). No message per call.
 *
 * NOTE: transpiled with helper.ts; it may import nothing.
 */

/**
 * Layout of a session's shared Int32Array. Times are milliseconds since the session's `base`.
 * The main thread writes the clock; the helper writes the output counter.
 */
export const CLOCK = {
  /** 0 idle, 1 running (the clock runs), 2 paused (the trusted side runs a callback). */
  state: 0,
  limitMs: 1,
  startedAt: 2,
  /** Time already used by this call before its latest pause. */
  usedMs: 3,
  /** Bytes the process printed so far (saturating). */
  outputBytes: 4,
  /** `outputBytes` when the running call started: a call may print only so much. */
  outputAtStart: 5,
  length: 8,
} as const;

