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
 * 3. Threads, opt-in (`setGemmThreads(2)`): large products split their 4-row panels between this
 *    thread and worker threads over shared memory. Every element of `out` is still computed by one
 *    thread in the same order, so results are bit-identical for any thread count.
 *
 * Cache blocking (BLIS's kc / mc loops) was measured and gains nothing here: at the sizes the kit
 * uses, scalar V8 code is bound by arithmetic, not by memory.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

/** Micro-tile size: rows of `a`, columns of `b` per register block. The micro-kernel spells it out. */
const MR = 4;
const NR = 4;

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
  const pool = m * n * k >= PARALLEL_MIN_WORK && m4 >= 2 * MR ? readyPool() : null;
  const ws = workspace(m4 * k, n4 * k, m4 * n4, pool !== null);
  packA(m, k, a, rsA, csA, ws.ap);
  packB(n, k, b, rsB, csB, ws.bp);
  // The micro-kernel writes whole 4 × 4 tiles: straight into `out` when the tiles fit it exactly
  // and no other thread needs to see it, else into the padded scratch `c`, copied out below.
  const direct = pool === null && m4 === m && n4 === n;
  const c = direct ? out : ws.c;
  if (pool === null) microKernel(0, m4, n4, k, ws.ap, ws.bp, c);
  else pool.run(m4, n4, k);
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
 * NOTE: this function's source text is also what the worker threads run (see `workerSource`), so
 * it must stay self-contained: no closures, no calls, no nested functions, no TypeScript-only
 * runtime features.
 */
function microKernel(
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

interface Workspace {
  ap: Float64Array;
  bp: Float64Array;
  c: Float64Array;
}

let local: Workspace = { ap: new Float64Array(0), bp: new Float64Array(0), c: new Float64Array(0) };
let shared: Workspace = local;

/** Buffers of at least the given sizes; shared (visible to the workers) when `parallel`. */
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

// ---------------------------------------------------------------------------------------------
// Threads: a small pool of workers that run the same micro-kernel on shared buffers.

/** Below this many multiply-adds (≈ 0.5 ms of work), handing off costs more than it saves. */
const PARALLEL_MIN_WORK = 1 << 20;
/** Rows of `out` per unit of work that a thread claims at a time. */
const ROWS_PER_CHUNK = 4 * MR;
/** How long the main thread waits for a worker before declaring it lost. */
const WORKER_TIMEOUT_MS = 60_000;

// Control block, Int32 slots.
const JOB = 0; // incremented by the main thread for each new job; the workers wait on it
const NEXT_CHUNK = 1; // the next chunk to claim (Atomics.add)
const DONE = 2; // workers that finished the current job
const ROWS = 3; // m4, n4, k of the current job
const COLS = 4;
const DEPTH = 5;
const READY = 6; // workers started
const VERSION = 7; // version of the shared buffers the current job uses
const CONTROL_SLOTS = 8;

let threads = 1;
let pool: Pool | null = null;

/**
 * Sets how many threads large products use (1 = this thread only, the default). The trainer and
 * the benchmark opt in; tests and exercises stay single-threaded and need no workers. When worker
 * threads are unavailable (e.g. Node's permission model forbids them), products quietly stay on
 * this thread. Returns the previous setting.
 */
export function setGemmThreads(count: number): number {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`setGemmThreads: 'count' must be a positive integer, got ${String(count)}`);
  }
  const previous = threads;
  threads = Math.min(count, 64);
  if (pool && pool.size !== threads - 1) {
    pool.close();
    pool = null;
  }
  return previous;
}

/**
 * The thread count in use, the machine's core count (a sensible setting), and whether the worker
 * threads have started (they start on the first large product; until then products run here).
 */
export function gemmThreads(): { current: number; available: number; workersReady: boolean } {
  return { current: threads, available: availableParallelism(), workersReady: pool?.ready() ?? false };
}

/** Starts the worker threads now rather than on the first large product. Resolves when they run. */
export async function startGemmThreads(): Promise<void> {
  if (threads <= 1) return;
  if (readyPool() !== null) return;
  const deadline = Date.now() + WORKER_TIMEOUT_MS;
  while (pool !== null && !pool.ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

/** The worker pool when it is enabled and its workers have started; null means "run here". */
function readyPool(): Pool | null {
  if (threads <= 1) return null;
  if (pool === null) {
    try {
      pool = new Pool(threads - 1);
    } catch {
      threads = 1; // no worker threads in this process; stay single-threaded
      return null;
    }
  }
  return pool.ready() ? pool : null;
}

/** The JavaScript a worker runs: the micro-kernel, then a loop that claims chunks of each job. */
function workerSource(): string {
  return `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const microKernel = ${microKernel.toString()};
const control = new Int32Array(workerData.control);
const port = workerData.port;
let buffers = { version: -1 };
let ap, bp, c;
Atomics.add(control, ${READY}, 1);
let seen = 0;
for (;;) {
  Atomics.wait(control, ${JOB}, seen);
  seen = Atomics.load(control, ${JOB});
  // New buffers arrive as a message before the job that first uses them.
  while (buffers.version !== control[${VERSION}]) {
    const message = receiveMessageOnPort(port);
    if (message) {
      buffers = message.message;
      ap = new Float64Array(buffers.ap); bp = new Float64Array(buffers.bp); c = new Float64Array(buffers.c);
    }
  }
  const m4 = control[${ROWS}], n4 = control[${COLS}], k = control[${DEPTH}];
  const chunks = Math.ceil(m4 / ${ROWS_PER_CHUNK});
  for (let chunk = Atomics.add(control, ${NEXT_CHUNK}, 1); chunk < chunks; chunk = Atomics.add(control, ${NEXT_CHUNK}, 1)) {
    const start = chunk * ${ROWS_PER_CHUNK};
    microKernel(start, Math.min(m4, start + ${ROWS_PER_CHUNK}), n4, k, ap, bp, c);
  }
  Atomics.add(control, ${DONE}, 1);
  Atomics.notify(control, ${DONE});
}`;
}

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
}

class Pool {
  readonly size: number;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  private readonly workers: PoolWorker[] = [];
  /** The buffers the workers were last sent. */
  private sent: Workspace | null = null;
  private version = 0;
  private job = 0;

  constructor(size: number) {
    this.size = size;
    for (let w = 0; w < size; w++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(workerSource(), {
        eval: true,
        workerData: { control: this.control.buffer, port: port2 },
        transferList: [port2],
      });
      worker.unref(); // an idle pool never keeps the process alive
      port1.unref();
      this.workers.push({ worker, port: port1 });
    }
  }

  /** True once every worker has started (until then the main thread works alone, never waits). */
  ready(): boolean {
    return Atomics.load(this.control, READY) === this.size;
  }

  /** Runs the product packed in the `shared` workspace on this thread and the workers, and waits. */
  run(m4: number, n4: number, k: number): void {
    const ws = shared;
    const control = this.control;
    if (this.sent !== ws) {
      this.version = (this.version + 1) & 0x3fffffff;
      const message = { version: this.version, ap: ws.ap.buffer, bp: ws.bp.buffer, c: ws.c.buffer };
      for (const { port } of this.workers) port.postMessage(message);
      Atomics.store(control, VERSION, this.version);
      this.sent = ws;
    }
    control[ROWS] = m4;
    control[COLS] = n4;
    control[DEPTH] = k;
    Atomics.store(control, NEXT_CHUNK, 0);
    Atomics.store(control, DONE, 0);
    this.job = (this.job + 1) & 0x3fffffff;
    Atomics.store(control, JOB, this.job);
    Atomics.notify(control, JOB);
    const chunks = Math.ceil(m4 / ROWS_PER_CHUNK);
    for (let chunk = Atomics.add(control, NEXT_CHUNK, 1); chunk < chunks; chunk = Atomics.add(control, NEXT_CHUNK, 1)) {
      const start = chunk * ROWS_PER_CHUNK;
      microKernel(start, Math.min(m4, start + ROWS_PER_CHUNK), n4, k, ws.ap, ws.bp, ws.c);
    }
    const deadline = Date.now() + WORKER_TIMEOUT_MS;
    for (let done = Atomics.load(control, DONE); done < this.size; done = Atomics.load(control, DONE)) {
      if (Date.now() > deadline) throw new Error(`gemm: a worker thread did not finish within ${WORKER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(control, DONE, done, 100);
    }
  }

  close(): void {
    for (const { worker, port } of this.workers) {
      port.close();
      void worker.terminate();
    }
    this.workers.length = 0;
  }
}
