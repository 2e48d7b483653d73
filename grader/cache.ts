/**
 * A content-addressed cache for what the grader derives from the kit itself (transpiled lib/ and
 * sandbox files, the reference solutions' export lists): keyed by a hash of the inputs, so a stale
 * entry is never read. Submissions are never cached. Best effort: a read-only or missing cache
 * folder only costs time. Entries are written atomically, so concurrent graders can share it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bump when the format or meaning of cached entries changes. */
const VERSION = 'v1';

export class KitCache {
  readonly #dir: string;

  constructor(root: string) {
    this.#dir = join(root, 'node_modules', '.cache', 'gradlab-grader', VERSION);
  }

  /** The key of some inputs. */
  static key(...parts: string[]): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part).update('\0');
    return hash.digest('hex').slice(0, 40);
  }

  get(key: string): string | null {
    return this.getBytes(key)?.toString('utf8') ?? null;
  }

  getBytes(key: string): Buffer | null {
    try {
      return readFileSync(join(this.#dir, key));
    } catch {
      return null;
    }
  }

  set(key: string, value: string | Uint8Array): void {
    try {
      mkdirSync(this.#dir, { recursive: true });
      const temp = join(this.#dir, `.${key}.${process.pid}.${Math.random().toString(36).slice(2)}`);
      writeFileSync(temp, value);
      renameSync(temp, join(this.#dir, key));
    } catch {
      /* caching is an optimisation only */
    }
  }

  /** The cached value of `key`, computed and stored on a miss. */
  memo(key: string, compute: () => string): string {
    const hit = this.get(key);
    if (hit !== null) return hit;
    const value = compute();
    this.set(key, value);
    return value;
  }
}
