/**
 * `callRepeatedly(fn, args, times)`: `times` calls of `fn` with the same arguments, their results
 * in order — 500 draws of a sampler whose generator is among the arguments, for instance:
 *
 *   callRepeatedly(logUniform, [rng, 1e-6, 1e-1], 500)
 *
 * is `Array.from({ length: 500 }, () => logUniform(rng, 1e-6, 1e-1))`, written as data, so that
 * the grader can run the 500 calls next to the function in one request instead of making one
 * round trip per call (the generator advances by the draws of all of them, as here).
 */

/** The most calls one `callRepeatedly` makes (a test that needs more asks twice). */
export const MAX_REPEATED_CALLS = 10_000;

/** A way to make repeated calls of functions that run elsewhere (see `delegateRepeatedCalls`). */
export type RepeatedCallDelegate = (fn: (...args: never[]) => unknown, args: readonly unknown[], times: number) => unknown[] | undefined;

let delegate: RepeatedCallDelegate | null = null;

/**
 * For the grader only: `callRepeatedly` first asks `caller`, which makes the calls for functions
 * it runs in its sandbox (all of them in one request) and returns undefined for any other
 * function. `null` removes it.
 */
export function delegateRepeatedCalls(caller: RepeatedCallDelegate | null): void {
  delegate = caller;
}

export function callRepeatedly<F extends (...args: never[]) => unknown>(fn: F, args: Parameters<F>, times: number): ReturnType<F>[] {
  if (!Number.isInteger(times) || times < 0 || times > MAX_REPEATED_CALLS) {
    throw new RangeError(`callRepeatedly: times must be an integer from 0 to ${MAX_REPEATED_CALLS}, got ${times}`);
  }
  const delegated = delegate?.(fn, args, times);
  if (delegated !== undefined) return delegated as ReturnType<F>[];
  const results: ReturnType<F>[] = [];
  for (let i = 0; i < times; i++) results.push((fn as unknown as (...a: unknown[]) => ReturnType<F>)(...(args as unknown[])));
  return results;
}
