/**
 * Row-wise normalization shared by layer norm and group norm: a flat buffer viewed as R rows of
 * M values, each row normalized over its own M values (no scale or shift here).
 */

export interface RowStats {
  /** x̂, R·M values. */
  xhat: Float64Array;
  /** 1/√(σ² + ε) per row, R values. */
  invStd: Float64Array;
}

export function normalizeRows(x: Float64Array, R: number, M: number, eps: number): RowStats {
  const xhat = new Float64Array(R * M);
  const invStd = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    const start = r * M;
    let total = 0;
    for (let j = 0; j < M; j++) total += x[start + j]!;
    const mu = M > 0 ? total / M : 0;
    let sq = 0;
    for (let j = 0; j < M; j++) {
      const c = x[start + j]! - mu;
      xhat[start + j] = c;
      sq += c * c;
    }
    const s = 1 / Math.sqrt((M > 0 ? sq / M : 0) + eps);
    invStd[r] = s;
    for (let j = 0; j < M; j++) xhat[start + j]! *= s;
  }
  return { xhat, invStd };
}

/**
 * dx for rows normalized by `normalizeRows`, given dx̂:
 *   dx = (s / M) · (M · dx̂ − Σ dx̂ − x̂ · Σ dx̂ ⊙ x̂), sums along the row.
 */
export function normalizeRowsBackward(dxhat: Float64Array, stats: RowStats, R: number, M: number): Float64Array {
  const dx = new Float64Array(R * M);
  const { xhat, invStd } = stats;
  for (let r = 0; r < R; r++) {
    const start = r * M;
    let a = 0;
    let b = 0;
    for (let j = 0; j < M; j++) {
      a += dxhat[start + j]!;
      b += dxhat[start + j]! * xhat[start + j]!;
    }
    const k = invStd[r]! / M;
    for (let j = 0; j < M; j++) {
      dx[start + j] = k * (M * dxhat[start + j]! - a - xhat[start + j]! * b);
    }
  }
  return dx;
}
