/**
 * TypeScript, loaded on first use: compiling its 9 MB of JavaScript takes most of a second, so the
 * grader's main thread never loads it (transpiling happens in a worker while vitest starts), and
 * the worker loads it through V8's code cache: the compiled code of the first load is kept in the
 * kit cache (keyed by Node's version and the file), so later loads skip most of the compile.
 */
import { statSync, readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import type TypeScript from 'typescript';
import { KitCache } from './cache.ts';

let loaded: typeof TypeScript | null = null;

/** The `typescript` module. */
export function typescript(): typeof TypeScript {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = require.resolve('typescript');
  try {
    loaded = loadWithCodeCache(file);
  } catch {
    loaded = require('typescript') as typeof TypeScript;
  }
  return loaded;
}

function loadWithCodeCache(file: string): typeof TypeScript {
  // node_modules/typescript/lib/typescript.js → the kit's root.
  const cache = new KitCache(join(dirname(file), '..', '..', '..'));
  const { size, mtimeMs } = statSync(file);
  const key = KitCache.key('v8-code-cache', process.version, process.arch, file, String(size), String(mtimeMs));
  const cachedData = cache.getBytes(key) ?? undefined;
  const source = readFileSync(file, 'utf8');
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const module = { exports: {} as object };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const ts = module.exports as typeof TypeScript;
  if (!cachedData || script.cachedDataRejected) {
    // One transpile first, so the cache also holds the code the grader uses, compiled.
    ts.transpileModule("import { a } from './a.ts';\nexport const b: number = a;\n", { compilerOptions: { module: ts.ModuleKind.ESNext, sourceMap: true }, reportDiagnostics: true });
    cache.set(key, script.createCachedData());
  }
  return ts;
}
