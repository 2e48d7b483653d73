/**
 * The grader's vite plugin. It runs in the grading process (vite transforms modules there; the
 * test workers fetch them) and decides what the suites' imports mean while grading:
 *
 * - an import of an exercise implementation (`./batchnorm.ts` from a public suite,
 *   `../../../exercises/03-batchnorm/batchnorm.ts` from a hidden one) resolves to a generated
 *   module exporting, for each name the reference solution exports, a proxy into the sandbox
 *   (grader/test-worker/proxies.ts);
 * - `solutions/NN-slug/file.ts?gradlab-mistake=<edit>` is the reference with one known mistake
 *   applied (the edit, base64url JSON, comes from grader/exercises/NN-slug/mistakes.ts through
 *   grader/test-worker/diagnose.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import type { ExportKind } from './discover.ts';
import { applyMistake } from './exercises/mistake.ts';

const PROXY_PREFIX = '\0gradlab-remote:';
const MISTAKE_QUERY = '?gradlab-mistake=';
const IMPLEMENTATION_FILE = /^exercises\/([0-9]{2}-[a-z0-9-]+)\/([^/]+)\.ts$/;

/** The exercise implementation file a path inside the kit names, or null. */
function implementationFileOf(root: string, absolute: string): { exercise: string; file: string } | null {
  const rel = absolute.startsWith(`${root}/`) ? absolute.slice(root.length + 1) : '';
  const m = IMPLEMENTATION_FILE.exec(rel);
  if (!m || m[2]!.endsWith('.test')) return null;
  return { exercise: m[1]!, file: `${m[2]}.ts` };
}

/**
 * The plugin; `exportsOf` gives the reference's runtime exports of an implementation file (the
 * grader reads them once per kit, see discover.ts), or null for a file the kit does not have.
 */
export function remotePlugin(root: string, exportsOf: (exercise: string, file: string) => { name: string; kind: ExportKind }[] | null): Plugin {
  const proxies = JSON.stringify(join(root, 'grader', 'test-worker', 'proxies.ts'));
  return {
    name: 'gradlab:remote',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !(source.startsWith('.') || source.startsWith('/'))) return null;
      if (source.includes(MISTAKE_QUERY)) return null;
      const absolute = resolve(dirname(importer.split('?')[0]!), source.split('?')[0]!);
      const target = implementationFileOf(root, absolute);
      if (!target || exportsOf(target.exercise, target.file) === null) return null;
      return `${PROXY_PREFIX}${target.exercise}/${target.file}`;
    },
    load(id) {
      if (!id.startsWith(PROXY_PREFIX)) return null;
      const [exercise, file] = id.slice(PROXY_PREFIX.length).split('/') as [string, string];
      const ex = JSON.stringify(exercise);
      const f = JSON.stringify(file);
      const lines = [`import { remoteClass, remoteFunction, remoteValue } from ${proxies};`];
      for (const { name, kind } of exportsOf(exercise, file) ?? []) {
        const n = JSON.stringify(name);
        if (kind === 'function') lines.push(`export const ${name} = remoteFunction(${ex}, ${f}, ${n});`);
        else if (kind === 'value') lines.push(`export const ${name} = remoteValue(${ex}, ${f}, ${n});`);
        else lines.push(`export const ${name} = remoteClass(${n});`);
      }
      return `${lines.join('\n')}\n`;
    },
    transform(_code, id) {
      const at = id.indexOf(MISTAKE_QUERY);
      if (at < 0) return null;
      const file = id.slice(0, at);
      let mistake: { id: string; replace: [string, string][] };
      try {
        mistake = JSON.parse(Buffer.from(id.slice(at + MISTAKE_QUERY.length), 'base64url').toString('utf8')) as typeof mistake;
      } catch {
        throw new Error(`gradlab:remote: a malformed mistake in ${id}`);
      }
      return applyMistake(readFileSync(file, 'utf8'), mistake.replace, `mistake ${mistake.id} of ${file}`);
    },
  };
}
