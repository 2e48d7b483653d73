/**
 * The supervisor thread of a test worker: starts sandbox processes and watches them, while the
 * worker's main thread talks to them directly over a pair of FIFOs with blocking reads (see
 * transport.ts). It never touches the frames. What it does:
 *
 * - spawns a process with the request FIFO as its fd 0 and the reply FIFO as its fd 3, under the
 *   permission model, `prlimit` caps and an empty environment;
 * - enforces the time limit of the running call and the memory limit, reading the call's clock
 *   from memory shared with the main thread (no message per call) every few milliseconds;
 * - captures what the student prints (bounded) and counts it in the shared memory;
 * - when a process dies, tells the main thread why: timed out, exceeded the memory limit, exited.
 *
 * NOTE: transpiled with clock.ts into the grader's private temp dir and started with
 * `new Worker(file)`; it may import nothing else from the kit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { workerData, type MessagePort } from 'node:worker_threads';
import { CLOCK } from './clock.ts';

/** How a sandbox process is started and bounded. */
export interface SandboxLimits {
  /** Node binary. */
  node: string;
  /** `prlimit` binary for an address-space and CPU cap, or null where there is none. */
  prlimit: string | null;
  /** The directory the sandbox may read: runner.js, the transpiled submission, lib/, seedrandom. */
  sandboxDir: string;
  /** Resident memory allowed, in MB. */
  memoryMb: number;
  /** V8 heap limit, in MB. */
  heapMb: number;
  /** Address-space cap, in MB (backstop for single huge allocations). */
  addressSpaceMb: number;
  /** CPU seconds for the whole process lifetime (backstop against orphans). */
  cpuSeconds: number;
  /** Time to start the process and receive its ready frame. */
  startMs: number;
  /** What one call may print (stdout and stderr), in bytes. */
  outputBytes: number;
}

export type FatalKind = 'timeout' | 'memory' | 'exit' | 'output' | 'protocol' | 'spawn';

export type HelperRequest =
  | { type: 'spawn'; session: number; req: string; rep: string; pids: string; clock: Int32Array; base: number; limits: SandboxLimits }
  | { type: 'opened'; session: number }
  | { type: 'output'; session: number }
  | { type: 'kill'; session: number; kind?: FatalKind; detail?: string };

export type HelperMessage =
  | { type: 'spawned'; session: number; pid: number }
  | { type: 'fatal'; session: number; kind: FatalKind; detail: string }
  | { type: 'output'; session: number; stdout: string; stderr: string; bytes: number };

const OUTPUT_WINDOW = 16 * 1024;
const STDERR_TAIL = 8 * 1024;
const TICK_MS = 10;
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Fatal process out of memory|Allocation failed|Cannot allocate memory|std::bad_alloc/i;

interface Supervised {
  session: number;
  child: ChildProcess;
  clock: Int32Array;
  base: number;
  limits: SandboxLimits;
  fds: number[];
  stdout: string;
  stderr: string;
  bytes: number;
  stderrTail: string;
  killedFor: { kind: FatalKind; detail: string } | null;
  alive: boolean;
}

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
const supervised = new Map<number, Supervised>();
let ticker: NodeJS.Timeout | null = null;

function post(message: HelperMessage): void {
  port.postMessage(message);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

const seconds = (ms: number): string => `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

function megabytes(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(bytes % 1048576 === 0 ? 0 : 1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

function residentMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function kill(s: Supervised, kind: FatalKind, detail: string): void {
  if (!s.alive) return;
  s.killedFor ??= { kind, detail };
  s.child.kill('SIGKILL');
}

function tick(): void {
  const now = Date.now();
  for (const s of supervised.values()) {
    if (!s.alive || Atomics.load(s.clock, CLOCK.state) !== 1) continue;
    const limit = Atomics.load(s.clock, CLOCK.limitMs);
    const used = Atomics.load(s.clock, CLOCK.usedMs) + (now - s.base - Atomics.load(s.clock, CLOCK.startedAt));
    if (used > limit) {
      kill(s, 'timeout', `timed out after ${seconds(limit)}`);
      continue;
    }
    const printed = Atomics.load(s.clock, CLOCK.outputBytes) - Atomics.load(s.clock, CLOCK.outputAtStart);
    // The runner counts prints and fails the call past the limit; this is the backstop for prints
    // that bypass process.stdout (fs.writeSync(1, …)) or never end.
    if (printed > 4 * s.limits.outputBytes) {
      kill(s, 'output', `printed more than ${megabytes(4 * s.limits.outputBytes)} during one call`);
      continue;
    }
    const rss = s.child.pid ? residentMb(s.child.pid) : null;
    if (rss !== null && rss > s.limits.memoryMb) kill(s, 'memory', `exceeded the memory limit (${s.limits.memoryMb} MB)`);
  }
  if (![...supervised.values()].some((s) => s.alive) && ticker) {
    clearInterval(ticker);
    ticker = null;
  }
}

function capture(s: Supervised, which: 'stdout' | 'stderr', chunk: Buffer): void {
  s.bytes += chunk.length;
  Atomics.store(s.clock, CLOCK.outputBytes, Math.min(s.bytes, 0x7fffffff));
  const room = OUTPUT_WINDOW - s[which].length;
  if (room > 0) s[which] += chunk.toString('utf8', 0, Math.min(chunk.length, room));
  if (which === 'stderr') s.stderrTail = (s.stderrTail + chunk.toString('utf8', Math.max(0, chunk.length - STDERR_TAIL))).slice(-STDERR_TAIL);
}

function closeFds(s: Supervised): void {
  for (const fd of s.fds) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }
  s.fds = [];
}

function onClose(s: Supervised, code: number | null, sig: NodeJS.Signals | null): void {
  s.alive = false;
  closeFds(s);
  let kind: FatalKind;
  let detail: string;
  if (s.killedFor) {
    ({ kind, detail } = s.killedFor);
  } else if (OUT_OF_MEMORY.test(s.stderrTail)) {
    kind = 'memory';
    detail = `exceeded the memory limit (${s.limits.heapMb} MB of JavaScript heap)`;
  } else if (sig === 'SIGXCPU') {
    kind = 'timeout';
    detail = `used more than ${s.limits.cpuSeconds} s of CPU time in total`;
  } else {
    kind = 'exit';
    detail = sig ? `the process was killed by ${sig}` : `the process exited with code ${code}`;
  }
  post({ type: 'fatal', session: s.session, kind, detail });
}

function spawnSandbox(request: Extract<HelperRequest, { type: 'spawn' }>): void {
  const { limits } = request;
  let fds: number[] = [];
  try {
    // The child's ends. O_NONBLOCK only so that opening the request FIFO does not wait for a
    // writer; the child's fd 0 is made blocking again when it starts. The reply FIFO is opened
    // read-write so that it needs no reader yet. A writer of the request FIFO is held here too, so
    // that the child waits for requests instead of reading end of file while the main thread has
    // not opened its end yet (a spare can boot long before it is used). All three are closed once
    // the main thread has its own ends open: then the child is the only reader of requests and
    // writer of replies.
    fds = [openSync(request.req, constants.O_RDONLY | constants.O_NONBLOCK), openSync(request.rep, constants.O_RDWR)];
    fds.push(openSync(request.req, constants.O_WRONLY | constants.O_NONBLOCK));
    const nodeArgs = [
      '--experimental-permission',
      `--allow-fs-read=${limits.sandboxDir}/`,
      '--experimental-vm-modules',
      '--disallow-code-generation-from-strings',
      `--max-old-space-size=${limits.heapMb}`,
      '--no-warnings',
      `${limits.sandboxDir}/runner.js`,
    ];
    const [command, args] = limits.prlimit
      ? [limits.prlimit, [`--as=${limits.addressSpaceMb * 1024 * 1024}`, `--cpu=${limits.cpuSeconds}`, limits.node, ...nodeArgs]]
      : [limits.node, nodeArgs];
    const child = spawn(command, args, { cwd: limits.sandboxDir, env: {}, stdio: [fds[0]!, 'pipe', 'pipe', fds[1]!], windowsHide: true });
    const s: Supervised = {
      session: request.session,
      child,
      clock: request.clock,
      base: request.base,
      limits,
      fds,
      stdout: '',
      stderr: '',
      bytes: 0,
      stderrTail: '',
      killedFor: null,
      alive: true,
    };
    supervised.get(request.session)?.child.kill('SIGKILL');
    supervised.set(request.session, s);
    child.stdout!.on('data', (c: Buffer) => capture(s, 'stdout', c));
    child.stderr!.on('data', (c: Buffer) => capture(s, 'stderr', c));
    child.on('error', (error) => {
      s.killedFor ??= { kind: 'spawn', detail: `could not start the sandbox: ${error.message}` };
    });
    child.on('close', (code, sig) => onClose(s, code, sig));
    ticker ??= setInterval(tick, TICK_MS);
    try {
      // For the grader's final sweep, which kills what is left (a spare never used, say).
      if (child.pid) appendFileSync(request.pids, `${child.pid}\n`);
    } catch {
      /* the list only helps the final sweep */
    }
    post({ type: 'spawned', session: request.session, pid: child.pid ?? 0 });
  } catch (error) {
    for (const fd of fds) closeSync(fd);
    post({ type: 'fatal', session: request.session, kind: 'spawn', detail: `could not start the sandbox: ${(error as Error).message}` });
  }
}

port.on('message', (request: HelperRequest) => {
  const s = supervised.get(request.session);
  switch (request.type) {
    case 'spawn':
      spawnSandbox(request);
      return;
    case 'opened':
      if (s) closeFds(s);
      return;
    case 'output':
      post({ type: 'output', session: request.session, stdout: s?.stdout ?? '', stderr: s?.stderr ?? '', bytes: s?.bytes ?? 0 });
      if (s) {
        s.stdout = '';
        s.stderr = '';
      }
      return;
    case 'kill':
      if (s) kill(s, request.kind ?? 'exit', request.detail ?? 'stopped by the grader');
      return;
  }
});

process.on('exit', () => {
  for (const s of supervised.values()) if (s.alive) s.child.kill('SIGKILL');
});
