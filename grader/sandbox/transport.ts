/**
 * One sandbox process as the test worker's main thread sees it: frames written to a request FIFO
 * and read back from a reply FIFO with blocking reads, so a call costs two pipe hops and nothing
 * else. The worker's helper thread (helper.ts) spawns and watches the process; the call's clock
 * lives in memory shared with it. When the process dies, the reply FIFO reaches end of file (the
 * process was its only writer) and the helper says why.
 *
 *   main thread ──write req FIFO──▶ sandbox (fd 0) ──fd 3──▶ reply FIFO ──read──▶ main thread
 *        │ clock in SharedArrayBuffer                ▲ spawn, time and memory limits, prints
 *        └──────────────────── helper thread ────────┘
 */
import { closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { receiveMessageOnPort, threadId, Worker, MessageChannel, type MessagePort } from 'node:worker_threads';
import { CLOCK } from './clock.ts';
import { makeFifos } from './fifo.ts';
import type { FatalKind, HelperMessage, HelperRequest } from './helper.ts';
import type { RemoteManifest } from './manifest.ts';
import { encodeFrame, frameLengths, type FromSandbox, type ToSandbox } from './protocol.ts';

interface Helper {
  file: string;
  port: MessagePort;
  signal: Int32Array;
  worker: Worker;
  inbox: HelperMessage[];
}

const HELPER_KEY = Symbol.for('gradlab.sandbox.helper');
let nextSession = 1;

/** The worker's helper thread: one per test worker and grading run, kept across test files. */
function helperFor(file: string): Helper {
  const global = globalThis as unknown as Record<symbol, Helper | undefined>;
  const known = global[HELPER_KEY];
  if (known && known.file === file) return known;
  if (known) void known.worker.terminate();
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(file, { workerData: { port: port2, signal }, transferList: [port2], env: {}, stdout: false, stderr: false });
  worker.unref();
  const helper: Helper = { file, port: port1, signal, worker, inbox: [] };
  global[HELPER_KEY] = helper;
  return helper;
}

const FIFO_BATCH = 4;
const fifoStock: { dir: string; req: string; rep: string }[] = [];

/**
 * A fresh pair of FIFOs for one process. The grader makes a stock of them when the run starts
 * (trusted/fifo-stock/N/{req,rep}); a test worker claims one by renaming its folder, which only
 * one thread can do. When the stock runs out, pairs are made here, a few per mkfifo.
 */
function fifoPair(manifest: RemoteManifest, session: number): { dir: string; req: string; rep: string } {
  const trusted = dirname(manifest.helperFile);
  for (let attempt = 0; attempt < 3; attempt++) {
    let names: string[];
    try {
      names = readdirSync(join(trusted, 'fifo-stock'));
    } catch {
      names = [];
    }
    if (names.length === 0) break;
    for (const name of names) {
      const dir = join(trusted, 'fifo', `${process.pid}-${threadId}-${session}-s${name}`);
      try {
        renameSync(join(trusted, 'fifo-stock', name), dir);
        return { dir, req: join(dir, 'req'), rep: join(dir, 'rep') };
      } catch {
        /* another worker claimed it first */
      }
    }
  }
  if (fifoStock.length === 0) {
    const batch = Array.from({ length: FIFO_BATCH }, (_, i) => {
      const dir = join(trusted, 'fifo', `${process.pid}-${threadId}-${session}-${i}`);
      // Not recursive: a run whose temp dir is gone (stopped grader) gets no new files.
      mkdirSync(dir);
      return { dir, req: join(dir, 'req'), rep: join(dir, 'rep') };
    });
    const failure = makeFifos(batch.flatMap((p) => [p.req, p.rep]));
    if (failure !== null) throw new Error(`the grader needs mkfifo to talk to the sandbox (${failure})`);
    fifoStock.push(...batch);
  }
  return fifoStock.shift()!;
}

const SPARE_KEY = Symbol.for('gradlab.sandbox.spare');

/**
 * A process started ahead of need (one per test worker): it boots while vitest moves on to the
 * next test file, so that file's first call does not wait for Node to start.
 */
export function prepareSpare(manifest: RemoteManifest): void {
  const global = globalThis as unknown as Record<symbol, { key: string; proc: SandboxProcess } | undefined>;
  const key = spareKey(manifest);
  const spare = global[SPARE_KEY];
  if (spare && spare.key === key && !spare.proc.death) return;
  spare?.proc.close();
  try {
    global[SPARE_KEY] = { key, proc: SandboxProcess.start(manifest) };
  } catch {
    global[SPARE_KEY] = undefined;
  }
}

/** The spare process, if there is one for this submission; it is the caller's from now on. */
export function takeSpare(manifest: RemoteManifest): SandboxProcess | null {
  const global = globalThis as unknown as Record<symbol, { key: string; proc: SandboxProcess } | undefined>;
  const spare = global[SPARE_KEY];
  global[SPARE_KEY] = undefined;
  if (!spare) return null;
  if (spare.key !== spareKey(manifest) || spare.proc.death) {
    spare.proc.close();
    return null;
  }
  return spare.proc;
}

/** A spare serves the submission whose sandbox it was started in. */
function spareKey(manifest: RemoteManifest): string {
  return `${manifest.helperFile}\0${manifest.limits.sandboxDir}`;
}

/** Waits for the helper's next message about `session` that `accept` takes. */
function awaitHelper<T extends HelperMessage>(helper: Helper, session: number, accept: (m: HelperMessage) => m is T, timeoutMs: number): T | null {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (;;) {
      const got = receiveMessageOnPort(helper.port);
      if (!got) break;
      helper.inbox.push(got.message as HelperMessage);
    }
    const index = helper.inbox.findIndex((m) => m.session === session && accept(m));
    if (index >= 0) return helper.inbox.splice(index, 1)[0] as T;
    const seen = Atomics.load(helper.signal, 0);
    const more = receiveMessageOnPort(helper.port);
    if (more) {
      helper.inbox.push(more.message as HelperMessage);
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) return null;
    Atomics.wait(helper.signal, 0, seen, left);
  }
}

export interface Death {
  kind: FatalKind;
  detail: string;
}

export interface Frame {
  header: FromSandbox;
  body: Uint8Array | null;
}

const isFatal = (m: HelperMessage): m is Extract<HelperMessage, { type: 'fatal' }> => m.type === 'fatal';
const isOutput = (m: HelperMessage): m is Extract<HelperMessage, { type: 'output' }> => m.type === 'output';

/**
 * A sandbox process and the main thread's ends of its FIFOs. `start` only asks the helper to spawn
 * it (a spare boots meanwhile, the caller moves on); `connect` waits for the spawn and opens the
 * FIFOs, when the process is first needed.
 */
export class SandboxProcess {
  readonly #helper: Helper;
  readonly #session: number;
  readonly #clock: Int32Array;
  readonly #base: number;
  readonly #dir: string;
  /** How long the helper may take to spawn the process. */
  readonly #startMs: number;
  /** Set by `connect`. */
  #pid = 0;
  #connected = false;
  #req = -1;
  #rep = -1;
  #buffer: Buffer = Buffer.allocUnsafe(65536);
  #start = 0;
  #end = 0;
  #outputSeen = 0;
  #death: Death | null = null;

  private constructor(helper: Helper, session: number, clock: Int32Array, base: number, dir: string, startMs: number) {
    this.#helper = helper;
    this.#session = session;
    this.#clock = clock;
    this.#base = base;
    this.#dir = dir;
    this.#startMs = startMs;
  }

  /** Asks the helper to start a sandbox process, without waiting for it. */
  static start(manifest: RemoteManifest): SandboxProcess {
    const helper = helperFor(manifest.helperFile);
    const session = nextSession++;
    const { dir, req, rep } = fifoPair(manifest, session);
    const clock = new Int32Array(new SharedArrayBuffer(CLOCK.length * 4));
    const base = Date.now();
    const pids = join(dirname(manifest.helperFile), 'pids');
    helper.port.postMessage({ type: 'spawn', session, req, rep, pids, clock, base, limits: manifest.limits } satisfies HelperRequest);
    return new SandboxProcess(helper, session, clock, base, dir, manifest.limits.startMs);
  }

  /**
   * Waits until the helper has spawned the process and opens the main thread's ends of its FIFOs
   * (at once for a process that has been booting as a spare); throws with the helper's reason when
   * it could not start. Then the process is the only reader of requests and writer of replies.
   */
  connect(): void {
    if (this.#connected) return;
    this.#connected = true;
    const reply = awaitHelper(this.#helper, this.#session, (m): m is HelperMessage => m.type === 'spawned' || m.type === 'fatal', this.#startMs + 5000);
    if (!reply || reply.type !== 'spawned') {
      const detail = reply?.type === 'fatal' ? reply.detail : 'the sandbox helper did not answer';
      this.#death = { kind: 'spawn', detail };
      this.kill('spawn', detail);
      rmSync(this.#dir, { recursive: true, force: true });
      throw new Error(detail);
    }
    this.#pid = reply.pid;
    this.#req = openSync(join(this.#dir, 'req'), constants.O_WRONLY);
    this.#rep = openSync(join(this.#dir, 'rep'), constants.O_RDONLY);
    this.#helper.port.postMessage({ type: 'opened', session: this.#session } satisfies HelperRequest);
  }

  /** The process id (0 until `connect`). */
  get pid(): number {
    return this.#pid;
  }

  /** Why the process died, once it has (null while it lives). */
  get death(): Death | null {
    return this.#death;
  }

  /** The process's resident memory in MB, read from /proc (null when it cannot be read). */
  residentMb(): number | null {
    if (this.#pid === 0) return null;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : null;
    } catch {
      return null;
    }
  }

  /** Starts the call's clock: the helper kills the process when `limitMs` of running time pass. */
  startClock(limitMs: number): void {
    Atomics.store(this.#clock, CLOCK.limitMs, limitMs);
    Atomics.store(this.#clock, CLOCK.usedMs, 0);
    Atomics.store(this.#clock, CLOCK.outputAtStart, Atomics.load(this.#clock, CLOCK.outputBytes));
    Atomics.store(this.#clock, CLOCK.startedAt, Date.now() - this.#base);
    Atomics.store(this.#clock, CLOCK.state, 1);
  }

  /** Stops the clock while the trusted side runs a callback. */
  pauseClock(): void {
    const used = Atomics.load(this.#clock, CLOCK.usedMs) + (Date.now() - this.#base - Atomics.load(this.#clock, CLOCK.startedAt));
    Atomics.store(this.#clock, CLOCK.state, 2);
    Atomics.store(this.#clock, CLOCK.usedMs, used);
  }

  resumeClock(): void {
    Atomics.store(this.#clock, CLOCK.startedAt, Date.now() - this.#base);
    Atomics.store(this.#clock, CLOCK.state, 1);
  }

  stopClock(): void {
    Atomics.store(this.#clock, CLOCK.state, 0);
  }

  /** Sends a frame; false when the process is gone. */
  send(header: ToSandbox, body?: Uint8Array): boolean {
    if (!this.#ensureConnected()) return false;
    // The prefix and header, then the body as it is: a large body is not copied into a frame.
    const head = encodeFrame(header);
    new DataView(head.buffer, head.byteOffset + 4, 4).setUint32(0, body ? body.byteLength : 0, true);
    try {
      for (const part of body ? [head, body] : [head]) {
        let off = 0;
        while (off < part.byteLength) off += writeSync(this.#req, part, off, part.byteLength - off);
      }
      return true;
    } catch {
      this.#died();
      return false;
    }
  }

  /** Blocks until the next frame; null when the process died (see `death`). */
  read(): Frame | null {
    if (!this.#ensureConnected()) return null;
    for (;;) {
      if (this.#death) return null;
      const available = this.#end - this.#start;
      if (available >= 8) {
        const lengths = frameLengths(this.#buffer.subarray(this.#start, this.#start + 8));
        if (typeof lengths === 'string') {
          this.kill('protocol', `the sandbox sent ${lengths}`);
          this.#died();
          return null;
        }
        const total = 8 + lengths.header + lengths.body;
        if (available >= total) {
          let header: FromSandbox;
          try {
            header = JSON.parse(this.#buffer.toString('utf8', this.#start + 8, this.#start + 8 + lengths.header)) as FromSandbox;
            if (typeof header !== 'object' || header === null || typeof header.t !== 'string') throw new Error('not a header');
          } catch {
            this.kill('protocol', 'the sandbox sent a malformed frame');
            this.#died();
            return null;
          }
          const body = lengths.body > 0 ? new Uint8Array(this.#buffer.subarray(this.#start + 8 + lengths.header, this.#start + total)) : null;
          this.#start += total;
          if (this.#start === this.#end) this.#start = this.#end = 0;
          return { header, body };
        }
        this.#reserve(total);
      } else {
        this.#reserve(8);
      }
      let n: number;
      try {
        n = readSync(this.#rep, this.#buffer, this.#end, this.#buffer.length - this.#end, null);
      } catch (error) {
        if ((error as { code?: string }).code === 'EAGAIN' || (error as { code?: string }).code === 'EINTR') continue;
        n = 0;
      }
      if (n === 0) {
        this.#died();
        return null;
      }
      this.#end += n;
    }
  }

  /** Connects on first use; false when the process is dead or could not start (see `death`). */
  #ensureConnected(): boolean {
    if (!this.#connected) {
      try {
        this.connect();
      } catch {
        return false;
      }
    }
    return this.#death === null;
  }

  /** Room for a frame of `total` bytes from `#start` on, in the one reused read buffer. */
  #reserve(total: number): void {
    if (this.#start + total <= this.#buffer.length && this.#end < this.#buffer.length) return;
    const next = total > this.#buffer.length ? Buffer.allocUnsafe(Math.max(total, 2 * this.#buffer.length)) : this.#start > 0 ? this.#buffer : Buffer.allocUnsafe(2 * this.#buffer.length);
    this.#buffer.copy(next, 0, this.#start, this.#end);
    this.#end -= this.#start;
    this.#start = 0;
    this.#buffer = next;
  }

  /** What the process printed since the last look, when it printed anything. */
  takeOutput(): { stdout: string; stderr: string; bytes: number } | null {
    const total = Atomics.load(this.#clock, CLOCK.outputBytes);
    if (total === this.#outputSeen) return null;
    this.#helper.port.postMessage({ type: 'output', session: this.#session } satisfies HelperRequest);
    const reply = awaitHelper(this.#helper, this.#session, isOutput, 5000);
    const bytes = total - this.#outputSeen;
    this.#outputSeen = total;
    return reply ? { stdout: reply.stdout, stderr: reply.stderr, bytes } : null;
  }

  /** Asks the helper to kill the process, with the reason it should report. */
  kill(kind: FatalKind = 'exit', detail = 'stopped by the grader'): void {
    this.#helper.port.postMessage({ type: 'kill', session: this.#session, kind, detail } satisfies HelperRequest);
  }

  /** Closes the main thread's ends; the process sees end of file and exits. */
  close(): void {
    if (!this.#death) this.kill();
    this.#closeFds();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #closeFds(): void {
    for (const fd of [this.#req, this.#rep]) {
      try {
        if (fd >= 0) closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.#req = -1;
    this.#rep = -1;
  }

  #died(): void {
    if (this.#death) return;
    this.stopClock();
    this.#closeFds();
    // Usually the process is gone and the helper has said why; if it still runs (it closed its
    // reply pipe), it is killed now.
    let fatal = awaitHelper(this.#helper, this.#session, isFatal, 1000);
    if (!fatal) {
      this.kill('protocol', 'the sandbox closed its reply channel');
      fatal = awaitHelper(this.#helper, this.#session, isFatal, 5000);
    }
    this.#death = fatal ? { kind: fatal.kind, detail: fatal.detail } : { kind: 'exit', detail: 'the process stopped answering' };
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** Reads one frame whose header passes `accept`, handing the others to `other`; null on death. */
export function readUntil(proc: SandboxProcess, accept: (f: Frame) => boolean, other: (f: Frame) => void): Frame | null {
  for (;;) {
    const frame = proc.read();
    if (!frame) return null;
    if (accept(frame)) return frame;
    other(frame);
  }
}
