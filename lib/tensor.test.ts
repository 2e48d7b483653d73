/** Kit tests for lib/tensor.ts: constructors, indexing, broadcasting, reductions, matmul, printing. */
import { describe, expect, test } from 'vitest';
import {
  add,
  arange,
  assertShape,
  assertTensor,
  broadcastShapes,
  formatTensor,
  fromNested,
  full,
  get,
  linspace,
  matmul,
  max,
  mean,
  ones,
  reshape,
  sub,
  sum,
  tensor,
  toNested,
  transpose,
  unravelIndex,
  ravelIndex,
  variance,
  zeros,
  createRng,
  randn,
} from './index.ts';

describe('constructors', () => {
  test('tensor › copies plain arrays, keeps a Float64Array, and checks the length against the shape', () => {
    const data = Float64Array.of(1, 2, 3, 4, 5, 6);
    expect(tensor([2, 3], data).data).toBe(data);
    expect(tensor([3], [1, 2, 3]).data).toEqual(Float64Array.of(1, 2, 3));
    expect(() => tensor([2, 2], [1, 2, 3])).toThrow(/tensor: 'data' has 3 elements but shape \[2, 2\] needs 4/);
    expect(() => tensor([2, -1])).toThrow(TypeError);
  });

  test('zeros, ones, full, linspace and arange › make the values numpy makes', () => {
    expect(Array.from(zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones([3]).data)).toEqual([1, 1, 1]);
    expect(Array.from(full([2], 7).data)).toEqual([7, 7]);
    expect(Array.from(linspace(0, 1, 5).data)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(arange(4).data)).toEqual([0, 1, 2, 3]);
    expect(Array.from(arange(1, 2, 0.25).data)).toEqual([1, 1.25, 1.5, 1.75]);
  });

  test('fromNested and toNested › round-trip nested arrays and reject ragged ones', () => {
    const nested = [[[1, 2]], [[3, 4]], [[5, 6]]];
    const t = fromNested(nested);
    expect(t.shape).toEqual([3, 1, 2]);
    expect(toNested(t)).toEqual(nested);
    expect(() => fromNested([[1, 2], [3]])).toThrow(RangeError);
  });
});

describe('indexing and shapes', () => {
  test('ravelIndex and unravelIndex › are inverse row-major maps', () => {
    const shape = [2, 3, 4];
    for (let i = 0; i < 24; i++) expect(ravelIndex(unravelIndex(i, shape), shape)).toBe(i);
    expect(unravelIndex(5, [2, 3])).toEqual([1, 2]);
    expect(() => ravelIndex([2, 0], [2, 3])).toThrow(/out of bounds/);
  });

  test('reshape › infers one -1 axis, copies the data and rejects a size change', () => {
    const t = arange(6);
    const r = reshape(t, [2, -1]);
    expect(r.shape).toEqual([2, 3]);
    r.data[0] = 99;
    expect(t.data[0]).toBe(0);
    expect(() => reshape(t, [4, -1])).toThrow(/cannot reshape \[6\]/);
  });

  test('assertShape › names the function, the argument and both shapes', () => {
    expect(() => assertShape('batchnormForward', 'gamma', zeros([4]), [5])).toThrow("batchnormForward: 'gamma' must have shape [5], got [4]");
    expect(() => assertShape('layernormForward', 'x', zeros([4]), [null, null], '[N, D]')).toThrow(
      "layernormForward: 'x' must have 2 dimensions [N, D], got [4]",
    );
    expect(() => assertShape('f', 'x', zeros([2, 3]), [null, 4])).toThrow("f: 'x' must have shape [2, 4], got [2, 3]");
    expect(() => assertShape('f', 'x', zeros([2, 3]), [2, null])).not.toThrow();
  });

  test('assertTensor › rejects non-tensors with a TypeError naming the argument', () => {
    expect(() => assertTensor('f', 'x', [1, 2])).toThrow("f: 'x' must be a tensor { shape, data: Float64Array }, got [1, 2]");
    expect(() => assertTensor('f', 'x', { shape: [3], data: new Float64Array(2) })).toThrow("f: 'x' has shape [3] but 2 elements in 'data'");
    expect(() => assertTensor('f', 'x', { shape: [2], data: [1, 2] })).toThrow(TypeError);
  });
});

describe('elementwise and broadcasting', () => {
  test('broadcastShapes › aligns from the right and rejects incompatible sizes', () => {
    expect(broadcastShapes([4, 1, 3], [5, 3])).toEqual([4, 5, 3]);
    expect(() => broadcastShapes([2, 3], [4], 'sub')).toThrow('sub: shapes [2, 3] and [4] do not broadcast');
  });

  test('sub › subtracts a [D] row from every row of [N, D], and a [C] from [N, H, W, C]', () => {
    const x = fromNested([[1, 2, 3], [4, 5, 6]]);
    expect(toNested(sub(x, fromNested([1, 2, 3])))).toEqual([[0, 0, 0], [3, 3, 3]]);
    expect(toNested(sub(x, fromNested([[1], [4]])))).toEqual([[0, 1, 2], [0, 1, 2]]);
    const img = reshape(arange(12), [1, 2, 2, 3]);
    expect(Array.from(sub(img, fromNested([0, 1, 2])).data)).toEqual([0, 0, 0, 3, 3, 3, 6, 6, 6, 9, 9, 9]);
    expect(Array.from(add(2, fromNested([1, 2])).data)).toEqual([3, 4]);
  });
});

describe('reductions', () => {
  const x = reshape(arange(24), [2, 3, 4]);
  test('sum › over one axis, several axes, all axes, with keepDims', () => {
    expect(toNested(sum(fromNested([[1, 2], [3, 4]]), 0))).toEqual([4, 6]);
    expect(toNested(sum(fromNested([[1, 2], [3, 4]]), 1))).toEqual([3, 7]);
    expect(toNested(sum(x, [0, 2]))).toEqual([0 + 1 + 2 + 3 + 12 + 13 + 14 + 15, 4 + 5 + 6 + 7 + 16 + 17 + 18 + 19, 8 + 9 + 10 + 11 + 20 + 21 + 22 + 23]);
    expect(sum(x).data[0]).toBe(276);
    expect(sum(x, [1, 2], { keepDims: true }).shape).toEqual([2, 1, 1]);
    expect(sum(x, -1).shape).toEqual([2, 3]);
    expect(() => sum(x, 3)).toThrow(/axis 3 is out of range for shape \[2, 3, 4\]/);
  });

  test('mean and variance › biased by default, ddof = 1 on request, two-pass accurate far from zero', () => {
    const v = fromNested([1, 2, 3, 4]);
    expect(mean(v).data[0]).toBe(2.5);
    expect(variance(v).data[0]).toBe(1.25);
    expect(variance(v, 0, { ddof: 1 }).data[0]).toBeCloseTo(5 / 3, 15);
    const far = fromNested([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]);
    expect(variance(far).data[0]).toBe(1.25);
    expect(toNested(mean(x, [0, 1]))).toEqual([10, 11, 12, 13]);
  });

  test('max › over an axis, propagating NaN', () => {
    expect(toNested(max(fromNested([[1, 5], [3, 2]]), 0))).toEqual([3, 5]);
    expect(Number.isNaN(max(fromNested([1, NaN, 3])).data[0])).toBe(true);
  });
});

describe('matmul and transpose', () => {
  test('matmul › agrees with the textbook triple loop on random non-square matrices', () => {
    const rng = createRng('matmul');
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [17, 9, 33], [64, 70, 5]] as const) {
      const a = randn([m, k], rng);
      const b = randn([k, n], rng);
      const c = matmul(a, b);
      expect(c.shape).toEqual([m, n]);
      let worst = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a.data[i * k + p]! * b.data[p * n + j]!;
          worst = Math.max(worst, Math.abs(s - c.data[i * n + j]!));
        }
      }
      expect(worst).toBeLessThan(1e-12);
    }
    expect(() => matmul(zeros([2, 3]), zeros([4, 2]))).toThrow("matmul: 'b' must have shape [3, 2], got [4, 2]");
  });

  test('transpose › reverses axes by default and applies any permutation', () => {
    expect(toNested(transpose(fromNested([[1, 2, 3], [4, 5, 6]])))).toEqual([[1, 4], [2, 5], [3, 6]]);
    const x = reshape(arange(24), [2, 3, 4]);
    const t = transpose(x, [2, 0, 1]);
    expect(t.shape).toEqual([4, 2, 3]);
    expect(get(t, 3, 1, 2)).toBe(get(x, 1, 2, 3));
    expect(() => transpose(x, [0, 0, 1])).toThrow(/not a permutation/);
  });
});

describe('printing', () => {
  test('formatTensor › prints rows aligned and elides long axes', () => {
    expect(formatTensor(fromNested([[1, 2], [3, 4.5]]))).toBe('tensor([2, 2]) [[1, 2],\n                [3, 4.5]]');
    expect(formatTensor(arange(20))).toContain('…');
    expect(formatTensor(fromNested([NaN, -Infinity, 1e-9]))).toBe('tensor([3]) [NaN, -Infinity, 1e-9]');
  });
});
