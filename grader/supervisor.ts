/**
 * The grading process's hold on one submission's sandbox process (runs in the grading process).
 *
 * It starts the process (the command layers.ts built) with two FIFOs as its stdin and stdout, and
 * hands the other ends to the test worker as file descriptors: a worker thread shares this
 * process's descriptor table, so the worker reads and writes them directly, blocking, while this
 * thread stays free to watch the process from outside:
 *
 * - the wall-clock limit of the whole submission: past it, the process group is killed;
 * - the process's end, whatever its cause (the kernel's CPU limit, a crash, the kill above): a
 *   `died` frame with the reason goes down the reply FIFO, so the worker's read returns with it;
 * - its CPU time, for the record (grade.json).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame, type FromSandbox } from './shared/protocol.ts';

export interface SandboxFds {
  /** The worker writes requests here. */
  request: number;
  /** The worker reads replies here. */
  reply: number;
}

/** CPU seconds of a live process (user + system), from /proc; null once it is gone. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

export class SupervisedSandbox {
  readonly fds: SandboxFds;
  readonly #child: ChildProcess;
  readonly #deathWriter: number;
  readonly #wallTimer: NodeJS.Timeout;
  #killedFor: 'wall' | 'closed' | null = null;
  #cpu = 0;
  #exited: Promise<void>;
  #stderr = '';

  constructor(command: readonly string[], totalWallSeconds: number) {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-fifo-'));
    const requestPath = join(dir, 'request');
    const replyPath = join(dir, 'reply');
    const made = spawnSync('mkfifo', ['-m', '600', requestPath, replyPath]);
    if (made.status !== 0) throw new Error(`the grader could not create its FIFOs: ${made.stderr?.toString() || made.error?.message}`);
    // Each end is opened while a temporary read-write end exists, so that no open blocks.
    const tempRequest = openSync(requestPath, constants.O_RDWR);
    const childRequest = openSync(requestPath, constants.O_RDONLY);
    const request = openSync(requestPath, constants.O_WRONLY);
    closeSync(tempRequest);
    // This end stays open until the process ended, to write the `died` frame.
    this.#deathWriter = openSync(replyPath, constants.O_RDWR);
    const childReply = openSync(replyPath, constants.O_WRONLY);
    const reply = openSync(replyPath, constants.O_RDONLY);
    unlinkSync(requestPath);
    unlinkSync(replyPath);
    rmSync(dir, { recursive: true, force: true });
    const [cmd, ...args] = command;
    // Its own process group (detached), so that a kill reaches everything it started.
    const child = spawn(cmd!, args, { stdio: [childRequest, childReply, 'pipe'], env: {}, detached: true });
    closeSync(childRequest);
    closeSync(childReply);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      if (this.#stderr.length < 4096) this.#stderr += text.slice(0, 4096 - this.#stderr.length);
    });
    this.#child = child;
    this.fds = { request, reply };
    this.#exited = new Promise<void>((resolve) => {
      child.on('error', (error) => {
        this.#died('crash', `the sandbox process could not start: ${error.message}`);
        resolve();
      });
      child.on('exit', (code, signal) => {
        const { kind, message } = this.#reason(code, signal);
        this.#died(kind, message);
        resolve();
      });
    });
    this.#wallTimer = setTimeout(() => this.#kill('wall'), totalWallSeconds * 1000);
    this.#wallTimer.unref();
  }

  /** Settles once the sandbox process has ended and its `died` frame is written. */
  get exited(): Promise<void> {
    return this.#exited;
  }

  /** The sandbox process's pid. */
  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** CPU seconds the sandbox process has used (its last reading when it is gone). */
  cpuSeconds(): number {
    if (this.#child.pid && this.#child.exitCode === null && this.#child.signalCode === null) this.#cpu = cpuSeconds(this.#child.pid) ?? this.#cpu;
    return this.#cpu;
  }

  #reason(code: number | null, signal: NodeJS.Signals | null): { kind: Extract<FromSandbox, { t: 'died' }>['kind']; message: string } {
    if (this.#killedFor === 'wall') return { kind: 'timeout', message: "the submission's grading reached its wall-clock limit" };
    if (this.#killedFor === 'closed') return { kind: 'exit', message: 'the sandbox was stopped' };
    if (signal === 'SIGXCPU') return { kind: 'timeout', message: 'the submission used all the CPU time its grading may use' };
    if (signal === 'SIGKILL') return { kind: 'memory', message: 'the sandbox process was killed by the system (out of memory, or over its CPU limit)' };
    if (code === 70 || this.#stderr.includes('isolated-vm:')) return { kind: 'crash', message: 'the sandbox process crashed' };
    return { kind: 'exit', message: `the sandbox process stopped (${signal ?? `exit code ${code}`})` };
  }

  #died(kind: Extract<FromSandbox, { t: 'died' }>['kind'], message: string): void {
    try {
      // Small enough to be written whole (a pipe writes up to 4 KB atomically).
      writeSync(this.#deathWriter, encodeFrame({ t: 'died', kind, message }));
    } catch {
      /* the worker is gone too */
    }
    try {
      closeSync(this.#deathWriter);
    } catch {
      /* closed already */
    }
  }

  #kill(reason: 'wall' | 'closed'): void {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.cpuSeconds();
    this.#killedFor ??= reason;
    try {
      process.kill(-this.#child.pid!, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }

  /**
   * Stops the process once the submission's tests are done: closing the request FIFO ends it (it
   * reads end of file and exits); one that does not is killed a moment later.
   */
  async stop(): Promise<void> {
    clearTimeout(this.#wallTimer);
    this.cpuSeconds();
    this.#killedFor ??= 'closed';
    for (const fd of [this.fds.request, this.fds.reply]) {
      try {
        closeSync(fd);
      } catch {
        /* closed already */
      }
    }
    const grace = setTimeout(() => this.#kill('closed'), 500);
    await this.#exited;
    clearTimeout(grace);
  }
}
