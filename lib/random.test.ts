/** Kit tests for lib/random.ts: reproducibility, the documented draw order, and the distributions. */
import { describe, expect, test } from 'vitest';
import { advanceRng, createRng, drawsOf, mean, rand, randn, variance } from './index.ts';

describe('createRng', () => {
  test('the same seed gives the same stream; different seeds differ; numbers and strings agree', () => {
    const a = createRng('seed');
    const b = createRng('seed');
    const c = createRng('other');
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xs);
    expect(createRng(7).uniform()).toBe(createRng('7').uniform());
  });

  test('randn consumes exactly two uniforms: Box–Muller with the cosine branch', () => {
    const a = createRng('order');
    const b = createRng('order');
    const u1 = b.uniform();
    const u2 = b.uniform();
    expect(a.randn()).toBe(Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
    expect(a.uniform()).toBe(b.uniform());
  });

  test('randint stays in [low, high) and reaches both ends; bad bounds are a RangeError', () => {
    const rng = createRng('randint');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(rng.randint(-2, 3));
    expect([...seen].sort((x, y) => x - y)).toEqual([-2, -1, 0, 1, 2]);
    expect(() => rng.randint(3, 3)).toThrow(RangeError);
  });

  test('shuffle returns a permutation and leaves its input alone; permutation(n) covers 0 … n − 1', () => {
    const rng = createRng('shuffle');
    const items = [1, 2, 3, 4, 5, 6];
    const shuffled = rng.shuffle(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...shuffled].sort()).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect(rng.permutation(10).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('tensor helpers', () => {
  test('randn(shape, rng) has mean 0 and variance 1 within 4 standard errors on 40,000 draws', () => {
    const x = randn([200, 200], createRng('normal'));
    const n = x.data.length;
    expect(Math.abs(mean(x).data[0]!)).toBeLessThan(4 / Math.sqrt(n));
    // The sample variance of a normal has standard error √(2/n).
    expect(Math.abs(variance(x).data[0]! - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  test('randn fills row-major, one draw per element', () => {
    const rng = createRng('fill');
    const ref = createRng('fill');
    const x = randn([2, 3], rng);
    expect(Array.from(x.data)).toEqual(Array.from({ length: 6 }, () => ref.randn()));
  });

  test('rand(shape, rng, low, high) stays in [low, high)', () => {
    const x = rand([1000], createRng('uniform'), -2, 5);
    expect(Math.min(...x.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...x.data)).toBeLessThan(5);
  });
});

describe('drawsOf and advanceRng', () => {
  test('a replica made from the seed and advanced by drawsOf continues exactly where the original stands', () => {
    const original = createRng('replica');
    original.randn();
    original.shuffle([1, 2, 3, 4, 5]);
    original.randint(0, 7);
    expect(drawsOf(original)).toBe(2 + 4 + 1);
    const replica = createRng('replica');
    advanceRng(replica, drawsOf(original)!);
    expect(drawsOf(replica)).toBe(drawsOf(original));
    expect([replica.uniform(), replica.randn()]).toEqual([original.uniform(), original.randn()]);
  });

  test('only generators made by createRng have a position', () => {
    const imitation = { ...createRng('x') };
    expect(drawsOf(imitation)).toBeUndefined();
    expect(() => advanceRng(imitation, 1)).toThrow(TypeError);
    expect(() => advanceRng(createRng('x'), -1)).toThrow(RangeError);
  });
});
