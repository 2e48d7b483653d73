/**
 * The helper thread: owns one sandbox process on behalf of a test worker whose main thread is
 * blocked in `Atomics.wait` during a call. It spawns and respawns the process, moves frames both
 * ways without reading their bodies, enforces the time limit (paused while the trusted side runs a
 * callback) and the memory limit (resident set polled from /proc), captures the student's prints
 * within bounds, and tells the main thread exactly why a process died.
 *
 * Messages from the main thread: `spawn`, `send`, `close`. Every message back is followed by an
 * `Atomics.notify` on the shared signal word (see `client.ts`).
 *
 * NOTE: transpiled with protocol.ts into a trusted temp dir at grading time and started with
 * `new Worker(file)`; it may import nothing else from the kit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { frameLengths, type FromSandbox, type ToSandbox } from './protocol.ts';

/** How the sandbox process is started and bounded. */
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
}

export type HelperRequest =
  | { type: 'spawn' }
  | { type: 'send'; header: ToSandbox; body?: Uint8Array; clock: 'start' | 'resume' | 'none'; limitMs?: number }
  | { type: 'close' };

/** What the student printed since the previous message (bounded). */
export interface CapturedOutput {
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
}

export type FatalKind = 'timeout' | 'memory' | 'exit' | 'protocol' | 'spawn';

export type HelperMessage =
  | { type: 'ready'; gen: number; pid: number; output: CapturedOutput }
  | { type: 'frame'; gen: number; header: FromSandbox; body: Uint8Array | null; output: CapturedOutput }
  | { type: 'fatal'; gen: number; kind: FatalKind; detail: string; output: CapturedOutput };

const OUTPUT_WINDOW = 16 * 1024;
const STDERR_TAIL = 8 * 1024;
const MEMORY_POLL_MS = 20;

interface HelperData {
  port: MessagePort;
  signal: Int32Array;
  limits: SandboxLimits;
}

const { port, signal, limits } = workerData as HelperData;

let child: ChildProcess | null = null;
let gen = 0;
let alive = false;
let ready = false;
let pending: Buffer[] = [];
let pendingBytes = 0;
let stdout = '';
let stderr = '';
let stdoutBytes = 0;
let stderrBytes = 0;
let stderrTail = '';
let clockActive = false;
let clockRemaining = 0;
let clockLimit = 0;
let clockDeadline = 0;
let timer: NodeJS.Timeout | null = null;
let poller: NodeJS.Timeout | null = null;
let startTimer: NodeJS.Timeout | null = null;
let killedFor: { kind: FatalKind; detail: string } | null = null;
let reportedDeath = false;

function takeOutput(): CapturedOutput {
  const output = { stdout, stderr, stdoutBytes, stderrBytes };
  stdout = '';
  stderr = '';
  stdoutBytes = 0;
  stderrBytes = 0;
  return output;
}

function post(message: HelperMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function stopClock(): void {
  clockActive = false;
  if (timer) clearTimeout(timer);
  if (poller) clearInterval(poller);
  timer = null;
  poller = null;
}

function runClock(ms: number): void {
  stopClock();
  clockActive = true;
  clockRemaining = ms;
  clockDeadline = Date.now() + ms;
  timer = setTimeout(() => kill('timeout', `timed out after ${formatSeconds(clockLimit)}`), Math.max(0, ms));
  poller = setInterval(pollMemory, MEMORY_POLL_MS);
}

function pauseClock(): void {
  if (!clockActive) return;
  clockRemaining = Math.max(0, clockDeadline - Date.now());
  stopClock();
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function residentMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function pollMemory(): void {
  if (!child?.pid || !alive) return;
  const rss = residentMb(child.pid);
  if (rss !== null && rss > limits.memoryMb) kill('memory', `exceeded the memory limit (${limits.memoryMb} MB)`);
}

function kill(kind: FatalKind, detail: string): void {
  if (!child || !alive) return;
  killedFor ??= { kind, detail };
  stopClock();
  child.kill('SIGKILL');
}

function appendOutput(which: 'stdout' | 'stderr', chunk: Buffer): void {
  if (which === 'stdout') {
    stdoutBytes += chunk.length;
    if (stdout.length < OUTPUT_WINDOW) stdout += chunk.toString('utf8', 0, Math.min(chunk.length, OUTPUT_WINDOW - stdout.length));
  } else {
    stderrBytes += chunk.length;
    if (stderr.length < OUTPUT_WINDOW) stderr += chunk.toString('utf8', 0, Math.min(chunk.length, OUTPUT_WINDOW - stderr.length));
    stderrTail = (stderrTail + chunk.toString('utf8', Math.max(0, chunk.length - STDERR_TAIL))).slice(-STDERR_TAIL);
  }
}

function onFrames(chunk: Buffer): void {
  pending.push(chunk);
  pendingBytes += chunk.length;
  for (;;) {
    if (pendingBytes < 8) return;
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [all];
    const lengths = frameLengths(all.subarray(0, 8));
    if (typeof lengths === 'string') {
      kill('protocol', `the sandbox sent ${lengths}`);
      return;
    }
    const total = 8 + lengths.header + lengths.body;
    if (all.length < total) return;
    let header: FromSandbox;
    try {
      header = JSON.parse(all.toString('utf8', 8, 8 + lengths.header)) as FromSandbox;
      if (typeof header !== 'object' || header === null || typeof header.t !== 'string') throw new Error('not a header');
    } catch {
      kill('protocol', 'the sandbox sent a malformed frame');
      return;
    }
    const body = lengths.body > 0 ? new Uint8Array(all.subarray(8 + lengths.header, total)) : null;
    const rest = all.subarray(total);
    pending = rest.length > 0 ? [rest] : [];
    pendingBytes = rest.length;
    onFrame(header, body);
    if (!alive) return;
  }
}

function onFrame(header: FromSandbox, body: Uint8Array | null): void {
  if (header.t === 'ready') {
    if (ready) return;
    ready = true;
    if (startTimer) clearTimeout(startTimer);
    startTimer = null;
    post({ type: 'ready', gen, pid: child?.pid ?? 0, output: takeOutput() });
    return;
  }
  if (header.t === 'callback') pauseClock();
  else stopClock();
  const copy = body ? body.slice() : null;
  post({ type: 'frame', gen, header, body: copy, output: takeOutput() }, copy ? [copy.buffer as ArrayBuffer] : []);
}

function doSpawn(): void {
  gen += 1;
  ready = false;
  alive = true;
  killedFor = null;
  reportedDeath = false;
  pending = [];
  pendingBytes = 0;
  stderrTail = '';
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
  let proc: ChildProcess;
  try {
    proc = spawn(command, args, { cwd: limits.sandboxDir, env: {}, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], windowsHide: true });
  } catch (error) {
    alive = false;
    post({ type: 'fatal', gen, kind: 'spawn', detail: `could not start the sandbox: ${(error as Error).message}`, output: takeOutput() });
    return;
  }
  child = proc;
  const thisGen = gen;
  proc.stdout!.on('data', (c: Buffer) => appendOutput('stdout', c));
  proc.stderr!.on('data', (c: Buffer) => appendOutput('stderr', c));
  (proc.stdio[3] as Readable).on('data', (c: Buffer) => {
    if (thisGen === gen) onFrames(c);
  });
  proc.stdin!.on('error', () => {});
  proc.on('error', (error) => {
    if (thisGen !== gen) return;
    killedFor ??= { kind: 'spawn', detail: `could not start the sandbox: ${error.message}` };
  });
  proc.on('close', (code, sig) => {
    if (thisGen === gen) onDeath(code, sig);
  });
  startTimer = setTimeout(() => kill('spawn', `the sandbox did not start within ${formatSeconds(limits.startMs)}`), limits.startMs);
}

const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Fatal process out of memory|Allocation failed|Cannot allocate memory|std::bad_alloc/i;

function onDeath(code: number | null, sig: NodeJS.Signals | null): void {
  alive = false;
  stopClock();
  if (startTimer) clearTimeout(startTimer);
  startTimer = null;
  if (reportedDeath) return;
  reportedDeath = true;
  let kind: FatalKind;
  let detail: string;
  if (killedFor) {
    ({ kind, detail } = killedFor);
  } else if (OUT_OF_MEMORY.test(stderrTail) || sig === 'SIGABRT' && /memory/i.test(stderrTail)) {
    kind = 'memory';
    detail = `exceeded the memory limit (${limits.heapMb} MB of JavaScript heap)`;
  } else if (sig === 'SIGXCPU') {
    kind = 'timeout';
    detail = `used more than ${limits.cpuSeconds} s of CPU time in total`;
  } else if (!ready) {
    kind = 'spawn';
    detail = `the sandbox stopped while starting (${sig ? `signal ${sig}` : `exit code ${code}`})${stderrTail ? `: ${stderrTail.trim().slice(-300)}` : ''}`;
  } else {
    kind = 'exit';
    detail = sig ? `the process was killed by ${sig}` : `the process exited with code ${code}`;
  }
  post({ type: 'fatal', gen, kind, detail, output: takeOutput() });
}

function onRequest(request: HelperRequest): void {
  switch (request.type) {
    case 'spawn':
      if (child && alive) {
        killedFor = { kind: 'exit', detail: 'restarted' };
        reportedDeath = true;
        child.kill('SIGKILL');
      }
      doSpawn();
      return;
    case 'send': {
      if (!child || !alive || !ready) {
        post({ type: 'fatal', gen, kind: 'exit', detail: 'the sandbox process is not running', output: takeOutput() });
        return;
      }
      if (request.clock === 'start') {
        clockLimit = request.limitMs ?? 2000;
        runClock(clockLimit);
      } else if (request.clock === 'resume') {
        runClock(clockRemaining);
      }
      const head = Buffer.from(JSON.stringify(request.header));
      const prefix = Buffer.alloc(8);
      prefix.writeUInt32LE(head.length, 0);
      prefix.writeUInt32LE(request.body ? request.body.byteLength : 0, 4);
      child.stdin!.write(request.body ? Buffer.concat([prefix, head, request.body]) : Buffer.concat([prefix, head]));
      return;
    }
    case 'close':
      stopClock();
      if (child && alive) {
        reportedDeath = true;
        child.kill('SIGKILL');
      }
      port.close();
      return;
  }
}

port.on('message', onRequest);
process.on('exit', () => {
  if (child && alive) child.kill('SIGKILL');
});
void parentPort;
