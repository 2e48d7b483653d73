/**
 * The preparation thread's own code, compiled: a worker started from TypeScript sources needs tsx
 * inside it (its own loader thread, a transform per module), which costs about half a second
 * before it can do anything. The first run starts it through tsx and, once TypeScript is loaded
 * there, has it transpile its module closure into the kit cache; later runs start it from there.
 * The cache key covers every file of the closure, so an edit of any of them is never stale.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { KitCache } from '../cache.ts';

/** The worker's entry, relative to the kit root. */
export const WORKER_ENTRY = 'grader/sandbox/prepare-worker.ts';

/** The kit-relative paths of the worker's entry and every module it imports at runtime. */
export function workerModules(root: string): string[] {
  const seen = new Set<string>();
  const visit = (rel: string): void => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const source = readFileSync(join(root, rel), 'utf8');
    // Runtime imports only: `import type` is erased by the transpiler.
    for (const m of source.matchAll(/^import\s+(?!type\b)[^'"]*?from\s+'(\.{1,2}\/[^']+\.ts)';$/gm)) {
      visit(relative(root, resolve(dirname(join(root, rel)), m[1]!)).split('\\').join('/'));
    }
  };
  visit(WORKER_ENTRY);
  return [...seen].sort();
}

/** Where the compiled closure lives (whether or not it exists yet). */
export function compiledWorkerDir(root: string): string {
  const modules = workerModules(root);
  const key = KitCache.key('worker', process.version, ...modules.flatMap((m) => [m, readFileSync(join(root, m), 'utf8')]));
  return join(root, 'node_modules', '.cache', 'gradlab-grader', 'v1', `worker-${key}`);
}

/** The compiled entry, when a previous run has built it. */
export function compiledWorkerEntry(root: string): string | null {
  try {
    const entry = join(compiledWorkerDir(root), WORKER_ENTRY.replace(/\.ts$/, '.js'));
    return existsSync(entry) ? entry : null;
  } catch {
    return null;
  }
}
