/**
 * The matrix-multiply kernel every `matmul` in the kit runs on, and the one place in the kit where
 * speed matters more than reading order. Everything else calls `matmul` from `lib/tensor.ts` or
 * one of the three entry points below.
 *
 *   gemm(m, n, k, a, b, out)        out[M, N] = a[M, K] · b[K, N]
 *   gemmTransA(m, n, k, a, b, out)  out[M, N] = aᵀ · b  with a stored as [K, M]
 *   gemmTransB(m, n, k, a, b, out)  out[M, N] = a · bᵀ  with b stored as [N, K]
 *
 * All row-major, `out` overwritten. How it is fast, in the order that matters:
 *
 * 1. Register blocking. The micro-kernel computes a 4 × 4 tile of `out` in 16 local variables, so
 *    each step over the shared dimension loads 4 + 4 numbers and does 16 multiply-adds (the naive
 *    i-k-j loop loads and stores `out` once per multiply-add). ≈ 4× the naive loop in V8.
 * 2. Packing. Before the micro-kernel runs, `a` is copied into panels of 4 rows stored column by
 *    column ("4 numbers for p = 0, 4 for p = 1, …") and `b` into panels of 4 columns stored row by
 *    row, so the micro-kernel reads both with unit stride. Transposition is free: it is only a
 *    different stride while packing. Panels are zero-padded to a multiple of 4, so the
 *    micro-kernel has no edge cases.
 * 3. Threads, opt-in: the trainer registers a pool of worker threads (`setGemmParallel`, see
 *    network/gemm-threads.ts) and large products split their 4-row panels between this
 *    thread and the workers over shared memory. Every element of `out` is still computed by one
 *    thread in the same order, so results are bit-identical for any thread count. This file
 *    itself imports nothing: it runs wherever lib/ runs, the grader's sandbox included.
 *
 * Cache blocking (BLIS's kc / mc loops) was measured and gains nothing here: at the sizes the kit
 * uses, scalar V8 code is bound by arithmetic, not by memory.
 */
/** Micro-tile size: rows of `a`, columns of `b` per register block. The micro-kernel spells it out. */
export const MR = 4;
const NR = 4;

/** Below this many multiply-adds (≈ 0.5 ms of work), handing off to other threads costs more than it saves. */
const PARALLEL_MIN_WORK = 1 << 20;

/**
 * Runs the micro-kernel over all 4-row panels of a product packed in a shared workspace, on this
 * thread and others (see network/gemm-threads.ts). `ready()` false means "run here".
 */
export interface GemmParallel {
  ready(): boolean;
  run(m4: number, n4: number, k: number, ws: Workspace): void;
}

let parallel: GemmParallel | null = null;

/** Registers (or with null removes) the threads large products may use. Returns the previous one. */
export function setGemmParallel(next: GemmParallel | null): GemmParallel | null {
  const previous = parallel;
  parallel = next;
  return previous;
}

/**
 * `out[M, N] = a[M, K] · b[K, N]`, all row-major, `out` overwritten (its first M·N entries).
 * Deterministic: the same numbers for any thread count.
 */
export function gemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, out: Float64Array): void {
  gemmStrided(m, n, k, a, k, 1, b, n, 1, out);
}

/** `out[M, N] = aᵀ · b` where `a` is stored row-major as `[K, M]` and `b` as `[K, N]`. */
export function gemmTransA(m: number, n: number, k: number, a: Float64Array, b: Float64Array, out: Float64Array): void {
  gemmStrided(m, n, k, a, 1, m, b, n, 1, out);
}

/** `out[M, N] = a · bᵀ` where `a` is stored row-major as `[M, K]` and `b` as `[N, K]`. */
export function gemmTransB(m: number, n: number, k: number, a: Float64Array, b: Float64Array, out: Float64Array): void {
  gemmStrided(m, n, k, a, k, 1, b, 1, k, out);
}

/**
 * The general product: element `A[i, p]` is `a[i·rsA + p·csA]`, `B[p, j]` is `b[p·rsB + j·csB]`,
 * and `out[i·n + j] = Σ_p A[i, p] · B[p, j]`.
 */
function gemmStrided(
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  rsA: number,
  csA: number,
  b: Float64Array,
  rsB: number,
  csB: number,
  out: Float64Array,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0, 0, m * n);
    return;
  }
  const m4 = Math.ceil(m / MR) * MR;
  const n4 = Math.ceil(n / NR) * NR;
  const pool = parallel !== null && m * n * k >= PARALLEL_MIN_WORK && m4 >= 2 * MR && parallel.ready() ? parallel : null;
  const ws = workspace(m4 * k, n4 * k, m4 * n4, pool !== null);
  packA(m, k, a, rsA, csA, ws.ap);
  packB(n, k, b, rsB, csB, ws.bp);
  // The micro-kernel writes whole 4 × 4 tiles: straight into `out` when the tiles fit it exactly
  // and no other thread needs to see it, else into the padded scratch `c`, copied out below.
  const direct = pool === null && m4 === m && n4 === n;
  const c = direct ? out : ws.c;
  if (pool === null) microKernel(0, m4, n4, k, ws.ap, ws.bp, c);
  else pool.run(m4, n4, k, ws);
  if (!direct) {
    for (let i = 0; i < m; i++) {
      const row = i * n4;
      for (let j = 0; j < n; j++) out[i * n + j] = c[row + j]!;
    }
  }
}

/** Copies `A [M, K]` into panels of 4 rows, column by column: `ap[(i₀/4)·4K + 4p + r] = A[i₀ + r, p]`. */
function packA(m: number, k: number, a: Float64Array, rsA: number, csA: number, ap: Float64Array): void {
  let o = 0;
  for (let i0 = 0; i0 < m; i0 += MR) {
    const rows = Math.min(MR, m - i0);
    for (let p = 0; p < k; p++) {
      const src = i0 * rsA + p * csA;
      for (let r = 0; r < MR; r++) ap[o++] = r < rows ? a[src + r * rsA]! : 0;
    }
  }
}

/** Copies `B [K, N]` into panels of 4 columns, row by row: `bp[(j₀/4)·4K + 4p + c] = B[p, j₀ + c]`. */
function packB(n: number, k: number, b: Float64Array, rsB: number, csB: number, bp: Float64Array): void {
  let o = 0;
  for (let j0 = 0; j0 < n; j0 += NR) {
    const cols = Math.min(NR, n - j0);
    for (let p = 0; p < k; p++) {
      const src = p * rsB + j0 * csB;
      for (let col = 0; col < NR; col++) bp[o++] = col < cols ? b[src + col * csB]! : 0;
    }
  }
}

/**
 * The micro-kernel: for the 4-row panels starting at rows `rowStart … rowEnd − 4` of the packed
 * `ap` and every 4-column panel of `bp`, `c[i, j] = Σ_p ap[i, p] · bp[p, j]` with row stride `n4`.
 *
 * NOTE: this function's source text is also what the worker threads run (gemm-threads.ts), so
 * it must stay self-contained: no closures, no calls, no nested functions, no TypeScript-only
 * runtime features.
 */
export function microKernel(
  rowStart: number,
  rowEnd: number,
  n4: number,
  k: number,
  ap: Float64Array,
  bp: Float64Array,
  c: Float64Array,
): void {
  for (let i0 = rowStart; i0 < rowEnd; i0 += 4) {
    const aStart = i0 * k;
    const aEnd = aStart + 4 * k;
    for (let j0 = 0; j0 < n4; j0 += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let bi = j0 * k;
      for (let ai = aStart; ai < aEnd; ai += 4, bi += 4) {
        const a0 = ap[ai]!, a1 = ap[ai + 1]!, a2 = ap[ai + 2]!, a3 = ap[ai + 3]!;
        // One b at a time keeps 16 accumulators + 5 operands within reach of the registers.
        let bv = bp[bi]!;
        c00 += a0 * bv; c10 += a1 * bv; c20 += a2 * bv; c30 += a3 * bv;
        bv = bp[bi + 1]!;
        c01 += a0 * bv; c11 += a1 * bv; c21 += a2 * bv; c31 += a3 * bv;
        bv = bp[bi + 2]!;
        c02 += a0 * bv; c12 += a1 * bv; c22 += a2 * bv; c32 += a3 * bv;
        bv = bp[bi + 3]!;
        c03 += a0 * bv; c13 += a1 * bv; c23 += a2 * bv; c33 += a3 * bv;
      }
      let o = i0 * n4 + j0;
      c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
      o += n4;
      c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13;
      o += n4;
      c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23;
      o += n4;
      c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Workspace: packed panels and the padded output, grown on demand and reused between calls.

export interface Workspace {
  ap: Float64Array;
  bp: Float64Array;
  c: Float64Array;
}

let local: Workspace = { ap: new Float64Array(0), bp: new Float64Array(0), c: new Float64Array(0) };
let shared: Workspace = local;

/** Buffers of at least the given sizes; shared (visible to other threads) when `parallel`. */
function workspace(apSize: number, bpSize: number, cSize: number, parallel: boolean): Workspace {
  const ws = parallel ? shared : local;
  if (ws.ap.length >= apSize && ws.bp.length >= bpSize && ws.c.length >= cSize) return ws;
  // Grow by 1.5× so a slowly growing sequence of products does not reallocate every call.
  const grow = (have: Float64Array, need: number): Float64Array => {
    if (have.length >= need) return have;
    const size = Math.max(need, Math.ceil(have.length * 1.5));
    return parallel ? new Float64Array(new SharedArrayBuffer(size * 8)) : new Float64Array(size);
  };
  const next = { ap: grow(ws.ap, apSize), bp: grow(ws.bp, bpSize), c: grow(ws.c, cSize) };
  if (parallel) shared = next;
  else local = next;
  return next;
}
