/**
 * `lib/random.ts` as the trusted side sees it while grading: the same module, except that every
 * generator made by `createRng` counts its draws, so it can be replicated in the sandbox by seed
 * and position (see rng-count.ts). The remote plugin resolves `lib/random.ts` to this file for
 * every importer in the test worker except this file itself.
 */
import * as random from '../../lib/random.ts';
import { advanceRng, countingRng } from './rng-count.ts';

export * from '../../lib/random.ts';

/** A generator the trusted side can replicate: its seed, its position, and a way to move it. */
export interface TrackedRng {
  seed: string;
  drawn(): number;
  /** Moves the generator forward by `count` uniform draws (what the sandbox's replica consumed). */
  advance(count: number): void;
}

/** Generators made by `createRng` during this test worker's life. */
export const trackedRngs = new WeakMap<object, TrackedRng>();

/** `createRng` of lib/random.ts, counting draws. */
export function createRng(seed: string | number): random.Rng {
  const inner = random.createRng(seed);
  const counter = { drawn: 0 };
  const rng = countingRng(inner, counter);
  trackedRngs.set(rng, {
    seed: inner.seed,
    drawn: () => counter.drawn,
    advance(count: number) {
      advanceRng(inner, count);
      counter.drawn += count;
    },
  });
  return rng;
}
