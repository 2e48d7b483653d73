/**
 * FIFOs for the sandbox transport, made by mkfifo: the grader's preparation stocks them ahead of
 * need (prepare.ts), the test workers make more when the stock runs out (transport.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

let mkfifo: string | undefined;

/** Makes every path a FIFO readable and writable by this user only; null when all were made, else why not. */
export function makeFifos(paths: readonly string[]): string | null {
  // By its path when it is in a usual place: no search of PATH for every batch.
  mkfifo ??= ['/usr/bin/mkfifo', '/bin/mkfifo'].find((path) => existsSync(path)) ?? 'mkfifo';
  const made = spawnSync(mkfifo, ['-m', '600', ...paths], { stdio: 'ignore' });
  return made.status === 0 ? null : (made.error?.message ?? `exit ${made.status}`);
}
