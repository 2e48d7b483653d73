/** Kit tests for the symmetric eigendecomposition (lib/linalg.ts). */
import { describe, expect, test } from 'vitest';
import { createRng, fromNested, matmul, randn, transpose, type Tensor } from './index.ts';
import { symmetricEigen } from './linalg.ts';

const rng = createRng('lib/linalg');

/** A random symmetric [D, D] matrix, Bᵀ B + diag shift (positive definite) or B + Bᵀ (indefinite). */
function symmetric(D: number, kind: 'spd' | 'indefinite'): Tensor {
  const b = randn([D, D], rng);
  if (kind === 'spd') return matmul(transpose(b), b);
  return { shape: [D, D], data: b.data.map((v, k) => v + b.data[(k % D) * D + Math.floor(k / D)]!) };
}

const diag = (values: Tensor): Tensor => {
  const D = values.data.length;
  const out = new Float64Array(D * D);
  for (let i = 0; i < D; i++) out[i * D + i] = values.data[i]!;
  return { shape: [D, D], data: out };
};

describe('symmetricEigen', () => {
  test.for([
    ['spd', 1],
    ['spd', 2],
    ['spd', 7],
    ['indefinite', 5],
    ['indefinite', 16],
  ] as const)('on a %s %i × %i matrix, V diag(λ) Vᵀ gives A back, V is orthonormal and λ ascends', ([kind, D]) => {
    const a = symmetric(D, kind);
    const before = a.data.slice();
    const { values, vectors } = symmetricEigen(a);
    expect(values.shape).toEqual([D]);
    expect(vectors.shape).toEqual([D, D]);
    // Jacobi converges to ~1e-15 of ‖A‖; 1e-10 absolute leaves room for entries of size ~10.
    expect(matmul(matmul(vectors, diag(values)), transpose(vectors))).toBeAllClose(a, { rtol: 1e-10, atol: 1e-10, what: 'V diag(λ) Vᵀ' });
    expect(matmul(transpose(vectors), vectors)).toBeAllClose(diag({ shape: [D], data: new Float64Array(D).fill(1) }), { rtol: 0, atol: 1e-12, what: 'VᵀV' });
    for (let j = 1; j < D; j++) expect(values.data[j]!).toBeGreaterThanOrEqual(values.data[j - 1]!);
    expect(a.data).toEqual(before);
  });

  test('gives the known eigenpairs of a 2 × 2 matrix, largest-magnitude entry of each vector positive', () => {
    const { values, vectors } = symmetricEigen(fromNested([[2, 1], [1, 2]]));
    expect(values).toBeAllClose([1, 3], { rtol: 1e-14, atol: 1e-14 });
    const r = Math.SQRT1_2;
    // λ = 1: ±(1, −1)/√2 (a tie in magnitude: the first entry is made positive); λ = 3: (1, 1)/√2.
    expect(vectors).toBeAllClose([[r, r], [-r, r]], { rtol: 1e-14, atol: 1e-14 });
  });

  test('handles a diagonal matrix and a repeated eigenvalue', () => {
    const { values, vectors } = symmetricEigen(fromNested([[3, 0, 0], [0, 1, 0], [0, 0, 3]]));
    expect(values).toBeAllClose([1, 3, 3], { rtol: 0, atol: 1e-15 });
    expect(matmul(transpose(vectors), vectors)).toBeAllClose([[1, 0, 0], [0, 1, 0], [0, 0, 1]], { rtol: 0, atol: 1e-15 });
  });

  test('rejects a matrix that is not square or not symmetric', () => {
    expect(() => symmetricEigen(fromNested([[1, 2, 3], [4, 5, 6]]))).toThrow("symmetricEigen: 'a' must have shape [2, 2], got [2, 3]");
    expect(() => symmetricEigen(fromNested([[1, 2], [3, 4]]))).toThrow(/symmetricEigen: 'a' must be symmetric/);
    expect(() => symmetricEigen(fromNested([1, 2]))).toThrow(RangeError);
  });
});
