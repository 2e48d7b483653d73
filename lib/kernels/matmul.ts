/**
 * The matrix-multiply kernel every `matmul` in the kit runs on.
 *
 * `out[M, N] = a[M, K] · b[K, N]`, all row-major, `out` overwritten. This is the one place where
 * speed matters more than reading order; everything else calls `matmul` from `lib/tensor.ts`.
 */
export function gemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, out: Float64Array): void {
  out.fill(0, 0, m * n);
  // i-k-j order: the innermost loop walks rows of `b` and `out` contiguously.
  for (let i = 0; i < m; i++) {
    const outRow = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) out[outRow + j]! += aip * b[bRow + j]!;
    }
  }
}
