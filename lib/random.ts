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

/** How many uniform draws each generator made by `createRng` has consumed. */
const positions = new WeakMap<Rng, { drawn: number; prng: seedrandom.PRNG }>();

/** Creates a seeded generator. Numbers are stringified, so `createRng(1)` and `createRng('1')` agree. */
export function createRng(seed: string | number): Rng {
  const key = String(seed);
  const prng = seedrandom(key);
  const position = { drawn: 0, prng };
  const uniform = (): number => {
    position.drawn++;
    return prng.double();
  };
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
  const rng: Rng = {
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
  positions.set(rng, position);
  return rng;
}

/**
 * How many uniform draws `rng` has consumed, or undefined for a generator `createRng` did not make.
 * Every draw goes through `uniform()` (the draw order above), so seed and count say exactly where a
 * generator stands: the grader replicates one in its sandbox as `createRng(seed)` advanced by
 * that many draws, and afterwards advances the original by what the replica drew.
 */
export function drawsOf(rng: Rng): number | undefined {
  return positions.get(rng)?.drawn;
}

/** Moves a generator made by `createRng` forward by `count` uniform draws, as if they had been made. */
export function advanceRng(rng: Rng, count: number): void {
  const position = positions.get(rng);
  if (!position) throw new TypeError('advanceRng: only a generator made by createRng can be advanced');
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`advanceRng: 'count' must be a non-negative integer, got ${count}`);
  for (let i = 0; i < count; i++) position.prng.double();
  position.drawn += count;
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
