/**
 * TypeScript, loaded on first use: it takes most of a second to load, so the grader's main thread
 * never does (transpiling happens in a worker while vitest starts), and a cache hit needs none.
 */
import { createRequire } from 'node:module';
import type TypeScript from 'typescript';

let loaded: typeof TypeScript | null = null;

/** The `typescript` module. */
export function typescript(): typeof TypeScript {
  loaded ??= createRequire(import.meta.url)('typescript') as typeof TypeScript;
  return loaded;
}
