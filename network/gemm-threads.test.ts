import { afterAll, describe, expect, test } from 'vitest';
import { createRng } from '../lib/random.ts';
import { gemm, gemmTransA, gemmTransB } from '../lib/kernels/matmul.ts';
import { gemmThreads, setGemmThreads, startGemmThreads } from './gemm-threads.ts';

/** The textbook triple loop, summing over p in order — the same order as the kernel. */
function reference(m: number, n: number, k: number, A: (i: number, p: number) => number, B: (p: number, j: number) => number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
      out[i * n + j] = s;
    }
  }
  return out;
}

const rng = createRng('gemm');
const randomArray = (length: number): Float64Array => Float64Array.from({ length }, () => rng.randn());

// Shapes chosen for the edges of 4 × 4 tiles and the thread split (rows in chunks of 16).
const shapes = [
  { id: 'one', m: 1, n: 1, k: 1 },
  { id: 'tiny-odd', m: 3, n: 5, k: 7 },
  { id: 'one-tile', m: 4, n: 4, k: 4 },
  { id: 'ragged', m: 17, n: 9, k: 33 },
  { id: 'tall', m: 130, n: 7, k: 300 },
  { id: 'parallel-ragged', m: 255, n: 129, k: 70 },
  { id: 'parallel-exact', m: 128, n: 128, k: 128 },
];

describe.each([1, 2])('gemm with %i thread(s)', (count) => {
  test('gemm › the pool is running when threads are requested', async () => {
    setGemmThreads(count);
    await startGemmThreads();
    expect(gemmThreads().current).toBe(count);
    if (count > 1) expect(gemmThreads().workersReady).toBe(true);
  });

  test.for(shapes)('gemm › $id: a · b equals the triple loop exactly', ({ m, n, k }) => {
    const a = randomArray(m * k);
    const b = randomArray(k * n);
    const out = new Float64Array(m * n).fill(NaN);
    gemm(m, n, k, a, b, out);
    expect(Array.from(out)).toEqual(Array.from(reference(m, n, k, (i, p) => a[i * k + p]!, (p, j) => b[p * n + j]!)));
  });

  test.for(shapes)('gemmTransA › $id: aᵀ · b with a stored [K, M]', ({ m, n, k }) => {
    const a = randomArray(k * m);
    const b = randomArray(k * n);
    const out = new Float64Array(m * n);
    gemmTransA(m, n, k, a, b, out);
    expect(Array.from(out)).toEqual(Array.from(reference(m, n, k, (i, p) => a[p * m + i]!, (p, j) => b[p * n + j]!)));
  });

  test.for(shapes)('gemmTransB › $id: a · bᵀ with b stored [N, K]', ({ m, n, k }) => {
    const a = randomArray(m * k);
    const b = randomArray(n * k);
    const out = new Float64Array(m * n);
    gemmTransB(m, n, k, a, b, out);
    expect(Array.from(out)).toEqual(Array.from(reference(m, n, k, (i, p) => a[i * k + p]!, (p, j) => b[j * k + p]!)));
  });
});

describe('gemm edge cases', () => {
  afterAll(() => {
    setGemmThreads(1);
  });

  test('gemm › k = 0 gives zeros, m = 0 or n = 0 writes nothing', () => {
    const out = Float64Array.of(7, 7, 7, 7, 7, 7, 9);
    gemm(2, 3, 0, new Float64Array(0), new Float64Array(0), out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 9]);
    const untouched = Float64Array.of(5);
    gemm(0, 3, 2, new Float64Array(0), new Float64Array(6), untouched);
    expect(untouched[0]).toBe(5);
  });

  test('gemm › writes only the first M·N entries of out', () => {
    const out = new Float64Array(7).fill(-1);
    gemm(2, 3, 1, Float64Array.of(1, 2), Float64Array.of(1, 1, 1), out);
    expect(Array.from(out)).toEqual([1, 1, 1, 2, 2, 2, -1]);
  });

  test('gemm › results are bit-identical for 1 and 2 threads on a large product', async () => {
    const [m, n, k] = [200, 150, 120];
    const a = randomArray(m * k);
    const b = randomArray(k * n);
    setGemmThreads(1);
    const single = new Float64Array(m * n);
    gemm(m, n, k, a, b, single);
    setGemmThreads(2);
    await startGemmThreads();
    const double = new Float64Array(m * n);
    gemm(m, n, k, a, b, double);
    expect(Array.from(double)).toEqual(Array.from(single));
  });

  test('setGemmThreads › rejects a count that is not a positive integer', () => {
    expect(() => setGemmThreads(0)).toThrow(/setGemmThreads: 'count' must be a positive integer, got 0/);
    expect(() => setGemmThreads(1.5)).toThrow(RangeError);
  });
});
