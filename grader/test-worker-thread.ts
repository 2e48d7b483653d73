/**
 * The grader's vitest pool (runs in the grading process): vitest's own thread worker, kept alive
 * from one submission to the next. Vitest ends its workers after every run; a grader runs once per
 * submission, so each would pay for a new thread, vitest's runtime and every module the suites
 * import (lib/, the references, fixtures, matchers). This pool keeps the one thread and its
 * runtime, whose module cache vitest already keeps between files (test files themselves are
 * evaluated afresh on every run): it forwards vitest's first `start` and answers the later
 * `start` and every `stop` itself. Measured in bench/grade.ts (`--warm`): see the closing note
 * of the commit that added it.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PoolOptions, PoolRunnerInitializer, PoolWorker } from 'vitest/node';

interface Shared {
  thread: Worker;
  started: boolean;
}

let shared: Shared | null = null;

class PersistentThreadWorker implements PoolWorker {
  readonly name = 'gradlab-thread';
  readonly #options: PoolOptions;
  readonly #listeners: [string, (arg: unknown) => void][] = [];

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  get #thread(): Worker {
    if (!shared) throw new Error('the grader\'s test worker was not started');
    return shared.thread;
  }

  on(event: string, callback: (arg: unknown) => void): void {
    this.#listeners.push([event, callback]);
    this.#thread.on(event, callback);
  }

  off(event: string, callback: (arg: unknown) => void): void {
    const at = this.#listeners.findIndex(([e, c]) => e === event && c === callback);
    if (at >= 0) this.#listeners.splice(at, 1);
    this.#thread.off(event, callback);
  }

  #reply(type: 'started' | 'stopped'): void {
    setImmediate(() => {
      for (const [event, callback] of [...this.#listeners]) if (event === 'message') callback({ type, __vitest_worker_response__: true });
    });
  }

  send(message: Parameters<PoolWorker['send']>[0]): void {
    if (message.type === 'start') {
      if (shared!.started) return this.#reply('started');
      shared!.started = true;
    }
    // The runtime stays set up for the next submission: vitest's teardown would dismantle it.
    if (message.type === 'stop') return this.#reply('stopped');
    this.#thread.postMessage(message);
  }

  deserialize(data: unknown): unknown {
    return data;
  }

  async start(): Promise<void> {
    if (shared) return;
    const thread = new Worker(join(this.#options.distPath, 'workers', 'threads.js'), {
      env: this.#options.env,
      execArgv: this.#options.execArgv,
      stdout: true,
      stderr: true,
    });
    const logger = this.#options.project.vitest.logger;
    thread.stdout.pipe(logger.outputStream);
    thread.stderr.pipe(logger.errorStream);
    thread.on('exit', () => {
      if (shared?.thread === thread) shared = null;
    });
    shared = { thread, started: false };
  }

  async stop(): Promise<void> {
    for (const [event, callback] of this.#listeners.splice(0)) shared?.thread.off(event, callback);
  }
}

/** Vitest's `pool` for the grader: one thread, kept from one run to the next. */
export const persistentThreadPool: PoolRunnerInitializer = {
  name: 'gradlab-thread',
  createPoolWorker: (options) => new PersistentThreadWorker(options),
};

/** Ends the thread (when the grader closes). */
export async function endPersistentThread(): Promise<void> {
  const thread = shared?.thread;
  shared = null;
  await thread?.terminate();
}
