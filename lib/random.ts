/**
 * Seeded randomness for the kit, built on seedrandom's ARC4 generator, so a seed gives the same
 * numbers on every machine and every run.
 *
 * Draw order (part of the contract, fixtures depend on it):
 * - `uniform()` consumes one double from the generator: a value in [0, 1).
 * - `randn()` consumes exactly two `uniform()` draws `u1, u2` and returns the Box–Muller value
 *   `√(−2 ln(1 − u1)) · cos(2π u2)`; the sine partner is discarded.
 * - `randint(low, high)` consumes one `uniform()`: `low + ⌊u · (high − low)⌋`.
 * - `shuffle(items)` is Fisher–Yates from the last position down, one `randint` per position.
 * - Tensor helpers fill row-major, one draw per element.
 */
import seedrandom from 'seedrandom';
import { tensor, type Tensor } from './tensor.ts';

export interface Rng {
  /** The seed this generator was created with. */
  readonly seed: string;
  /** A uniform double in [0, 1). */
  uniform(): number;
  /** A standard normal draw (mean 0, variance 1). */
  randn(): number;
  /** A uniform integer in [low, high). */
  randint(low: number, high: number): number;
  /** A shuffled copy of `items`; the input is not changed. */
  shuffle<T>(items: readonly T[]): T[];
  /** A random permutation of 0 … n − 1. */
  permutation(n: number): number[];
}

/** Creates a seeded generator. Numbers are stringified, so `createRng(1)` and `createRng('1')` agree. */
export function createRng(seed: string | number): Rng {
  const key = String(seed);
  const prng = seedrandom(key);
  const uniform = (): number => prng.double();
  const randint = (low: number, high: number): number => {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
      throw new RangeError(`randint: need integers low < high, got low = ${low}, high = ${high}`);
    }
    return low + Math.floor(uniform() * (high - low));
  };
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = randint(0, i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  return {
    seed: key,
    uniform,
    randn: () => {
      const u1 = uniform();
      const u2 = uniform();
      // NOTE: 1 − u1 lies in (0, 1], so the logarithm is always finite.
      return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    },
    randint,
    shuffle,
    permutation: (n: number) => shuffle(Array.from({ length: n }, (_, i) => i)),
  };
}

/** A tensor of standard normal draws, filled row-major. */
export function randn(shape: readonly number[], rng: Rng): Tensor {
  const t = tensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.randn();
  return t;
}

/** A tensor of uniform draws in [low, high), filled row-major. */
export function rand(shape: readonly number[], rng: Rng, low = 0, high = 1): Tensor {
  const t = tensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = low + (high - low) * rng.uniform();
  return t;
}
