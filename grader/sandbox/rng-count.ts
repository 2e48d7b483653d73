/**
 * Seeded generators cross the sandbox boundary by seed and position, never draw by draw: a
 * generator is replicated as `createRng(seed)` advanced by the number of uniform draws it has
 * consumed, and after the call the original is advanced by what the replica consumed. Both sides
 * count with this wrapper, which follows the draw-order contract of `lib/random.ts`:
 * `uniform` and `randint` take one uniform draw, `randn` two, `shuffle` and `permutation` one per
 * position after the first (Fisher–Yates).
 *
 * NOTE: transpiled into the sandbox as is; it may import nothing. `grader/tests/rng-count.test.ts`
 * proves the counts against the real generator, so a change of the contract cannot go unnoticed.
 */

/** The generator interface of `lib/random.ts`, structurally (this module imports nothing). */
export interface CountableRng {
  readonly seed: string;
  uniform(): number;
  randn(): number;
  randint(low: number, high: number): number;
  shuffle<T>(items: readonly T[]): T[];
  permutation(n: number): number[];
}

const isInteger = Number.isInteger;

/** The methods a countable generator has; an object with any other function is not one. */
export const RNG_METHODS = ['uniform', 'randn', 'randint', 'shuffle', 'permutation'] as const;

/**
 * Wraps `inner` so that every draw is counted in `counter.drawn`. The wrapper has exactly the
 * interface of `lib/random.ts`'s `Rng`; `inner` stays unreachable from it.
 */
export function countingRng(inner: CountableRng, counter: { drawn: number }): CountableRng {
  const positions = (n: number): number => (isInteger(n) && n > 1 ? n - 1 : 0);
  return {
    seed: inner.seed,
    uniform: () => {
      const v = inner.uniform();
      counter.drawn += 1;
      return v;
    },
    randn: () => {
      const v = inner.randn();
      counter.drawn += 2;
      return v;
    },
    randint: (low: number, high: number) => {
      const v = inner.randint(low, high);
      counter.drawn += 1;
      return v;
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const v = inner.shuffle(items);
      counter.drawn += positions(v.length);
      return v;
    },
    permutation: (n: number) => {
      const v = inner.permutation(n);
      counter.drawn += positions(v.length);
      return v;
    },
  };
}

/** Advances a generator by `count` uniform draws. */
export function advanceRng(rng: Pick<CountableRng, 'uniform'>, count: number): void {
  for (let i = 0; i < count; i++) rng.uniform();
}
