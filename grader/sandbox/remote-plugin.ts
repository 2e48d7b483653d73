/**
 * The vite plugin of remote mode (`GRADLAB_IMPL=remote`, started by the grader):
 *
 * - an import of an exercise implementation (`./batchnorm.ts` from a public suite,
 *   `../../../exercises/03-batchnorm/batchnorm.ts` from a hidden one) resolves to a generated proxy
 *   module exporting the reference solution's names, each a synchronous call into the sandbox;
 * - `lib/random.ts` resolves to `tracked-random.ts`, so generators can be replicated by seed;
 * - `ajv`, imported by lib/testing/fixtures.ts, resolves to `fixture-ajv.ts`: the same fixture
 *   validation, from validators compiled once per kit;
 * - `solutions/NN-slug/file.ts?gradlab-mistake=<edit>` is the reference with one known mistake
 *   applied (the edit, base64url JSON, comes from grader/mistakes/ via diagnose.ts);
 * - it adds the remote setup file and lifts vitest's own test timeout (the sandbox has its limits);
 * - it keys vitest's on-disk transform cache (experimental.fsModuleCache) by its own source, so a
 *   change of what it resolves where never meets transforms cached before the change.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { implementationFileOf } from '../../lib/testing/implementation.ts';
import { remoteManifest } from './manifest.ts';

const PROXY_PREFIX = '\0gradlab-remote:';
const MISTAKE_QUERY = '?gradlab-mistake=';

/** Applies a mistake's replacements to a solution's source; throws when one does not apply exactly once. */
export function applyMistake(source: string, replace: readonly (readonly [string, string])[], label: string): string {
  let text = source;
  for (const [find, replacement] of replace) {
    const at = text.indexOf(find);
    if (at < 0 || text.indexOf(find, at + 1) >= 0) {
      throw new Error(`${label}: '${find.slice(0, 60)}' must occur exactly once in the solution (found ${at < 0 ? 0 : 'several'})`);
    }
    text = text.slice(0, at) + replacement + text.slice(at + find.length);
  }
  return text;
}

function proxySource(root: string, exercise: string, file: string): string {
  const manifest = remoteManifest();
  const entry = manifest.exercises[exercise]?.files[file];
  if (!entry) throw new Error(`gradlab:remote: ${exercise}/${file} is not an implementation file of this kit`);
  const client = JSON.stringify(join(root, 'grader', 'sandbox', 'client.ts'));
  const ex = JSON.stringify(exercise);
  const f = JSON.stringify(file);
  const lines = [`import { remoteFunction, sessionFor } from ${client};`];
  for (const { name, kind } of entry.exports) {
    const n = JSON.stringify(name);
    if (kind === 'function') lines.push(`export const ${name} = remoteFunction(${ex}, ${f}, ${n});`);
    else if (kind === 'value') lines.push(`export const ${name} = sessionFor(${ex}).value(${f}, ${n});`);
    else lines.push(`export const ${name} = sessionFor(${ex}).unsupported(${n}, 'a class');`);
  }
  return `${lines.join('\n')}\n`;
}

/** The remote-mode plugin; `root` is the kit's root. */
export function remotePlugin(root: string): Plugin {
  const trackedRandom = join(root, 'grader', 'sandbox', 'tracked-random.ts');
  const libRandom = join(root, 'lib', 'random.ts');
  const fixtures = join(root, 'lib', 'testing', 'fixtures.ts');
  const fixtureAjv = join(root, 'grader', 'sandbox', 'fixture-ajv.ts');
  return {
    name: 'gradlab:remote',
    enforce: 'pre',
    configureVitest({ experimental_defineCacheKeyGenerator }) {
      const self = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex');
      experimental_defineCacheKeyGenerator(() => `gradlab:remote:${self}`);
    },
    config() {
      return {
        test: {
          setupFiles: [join(root, 'grader', 'sandbox', 'setup.ts')],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      };
    },
    resolveId(source, importer) {
      if (source === 'ajv' && importer?.split('?')[0] === fixtures) return fixtureAjv;
      if (!importer || !(source.startsWith('.') || source.startsWith('/'))) return null;
      const cleanImporter = importer.split('?')[0]!;
      const absolute = resolve(dirname(cleanImporter), source.split('?')[0]!);
      if (absolute === libRandom && cleanImporter !== trackedRandom) return trackedRandom;
      if (source.includes(MISTAKE_QUERY)) return null;
      const target = implementationFileOf(root, absolute);
      if (!target) return null;
      if (!remoteManifest().exercises[target.exercise]?.files[target.file]) return null;
      return `${PROXY_PREFIX}${target.exercise}/${target.file}`;
    },
    load(id) {
      if (id.startsWith(PROXY_PREFIX)) {
        const [exercise, file] = id.slice(PROXY_PREFIX.length).split('/') as [string, string];
        return proxySource(root, exercise, file);
      }
      const at = id.indexOf(MISTAKE_QUERY);
      if (at >= 0) return null; // handled in transform, after vite has read the file
      return null;
    },
    transform(code, id) {
      const at = id.indexOf(MISTAKE_QUERY);
      if (at < 0) return null;
      const file = id.slice(0, at);
      let mistake: { id: string; replace: [string, string][] };
      try {
        mistake = JSON.parse(Buffer.from(id.slice(at + MISTAKE_QUERY.length), 'base64url').toString('utf8')) as typeof mistake;
      } catch {
        throw new Error(`gradlab:remote: a malformed mistake in ${id}`);
      }
      void code;
      return applyMistake(readFileSync(file, 'utf8'), mistake.replace, `mistake ${mistake.id} of ${file}`);
    },
  };
}
