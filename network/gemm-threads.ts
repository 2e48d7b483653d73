/**
 * Worker threads for the trainer's large matrix products: a small pool that runs lib's gemm
 * micro-kernel on shared buffers (see lib/kernels/matmul.ts, point 3). The trainer and the
 * benchmark opt in with `setGemmThreads(n)`; tests, exercises and the grader's sandbox stay
 * single-threaded and never load this file.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { microKernel, MR, setGemmParallel, type GemmParallel, type Workspace } from '../lib/kernels/matmul.ts';

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
  setGemmParallel(threads > 1 ? lazyPool : null);
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

/** What lib's gemm sees: the pool, started on first use; not ready (run here) until its workers run. */
const lazyPool: GemmParallel = {
  ready: () => readyPool() !== null,
  run: (m4, n4, k, ws) => readyPool()!.run(m4, n4, k, ws),
};

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

  /** Runs the product packed in the shared workspace `ws` on this thread and the workers, and waits. */
  run(m4: number, n4: number, k: number, ws: Workspace): void {
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
