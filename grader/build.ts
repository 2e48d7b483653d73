/**
 * What the grading process builds once, with esbuild, before it grades anything:
 *
 * - the sandbox process's program (grader/sandbox-process/host.ts and the protocol), one file in
 *   a world-readable temp dir named after its contents (`hostFolder`), so an unprivileged user may
 *   run it and every grading process of the same kit shares it;
 * - the bridge (grader/isolate/bridge.ts with its own copy of lib/ and seedrandom), one module
 *   that the host evaluates first in every isolate;
 * - the kit's modules a submission may import (lib/, and seedrandom for lib/random.ts), each
 *   transpiled on its own so that imports link one file at a time, as they would in Node.
 *
 * And, for every submission, its files (stage.ts): `transpile` erases types and never checks them.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { build, transform, type Message } from 'esbuild';
import { sharedFolder } from './shared-folder.ts';
import type { ModuleSource } from './shared/protocol.ts';

export interface KitBuild {
  /** The sandbox process's program: `node <hostFile> <isolated-vm dir>`. */
  hostFile: string;
  /** The temp dir holding it, shared with other grading processes of the same kit (kept). */
  hostDir: string;
  bridge: string;
  kit: Record<string, ModuleSource>;
  dispose(): void;
}

/** Options every transpile of TypeScript uses: ES2022 modules, types erased, imports kept as written. */
const TS_OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: 'es2022',
  sourcemap: 'external',
  // Lenient on purpose: `import { Tensor }` without `type` must not become a runtime import.
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: false, useDefineForClassFields: true } },
} as const;

export interface Transpiled {
  code: string;
  map: string;
  /** The first errors, with line and column, when the source does not parse. */
  error?: string;
}

function describeErrors(errors: readonly Message[]): string {
  return errors
    .slice(0, 3)
    .map((e) => (e.location ? `line ${e.location.line}, column ${e.location.column + 1}: ${e.text}` : e.text))
    .join('; ');
}

/**
 * TypeScript to JavaScript (types erased, never checked). esbuild's asynchronous API talks to one
 * long-lived esbuild process; its synchronous one starts a process per call.
 */
export async function transpile(source: string, fileName: string): Promise<Transpiled> {
  try {
    const out = await transform(source, { ...TS_OPTIONS, sourcefile: fileName });
    return { code: out.code, map: out.map };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    return { code: '', map: '', error: errors?.length ? describeErrors(errors) : (error as Error).message };
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/** The `.ts` files of lib/ a submission may import (lib/testing is the suites' support, never theirs). */
function libFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'testing' ? [] : walk(path);
      return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
    });
  return walk(join(root, 'lib'));
}

let built: { root: string; build: Promise<KitBuild> } | null = null;

/** Builds (once per process and kit) the host, the bridge and the kit's modules. */
export function buildKit(root: string): Promise<KitBuild> {
  if (built?.root !== root) built = { root, build: buildAll(root) };
  return built.build;
}

async function buildAll(root: string): Promise<KitBuild> {
  const kit: Record<string, ModuleSource> = {};
  await Promise.all(
    libFiles(root).map(async (file) => {
      const path = toPosix(relative(root, file));
      const out = await transpile(readFileSync(file, 'utf8'), path);
      if (out.error) throw new Error(`the kit file ${path} does not transpile: ${out.error}`);
      kit[path] = { code: out.code, map: out.map };
    }),
  );
  const seedrandom = await build({
    stdin: { contents: "export { default } from 'seedrandom';", resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['main'],
    external: ['crypto'],
    write: false,
    logLevel: 'silent',
  });
  kit['node_modules/seedrandom/index.js'] = { code: seedrandom.outputFiles[0]!.text };

  const bridge = (
    await build({
    entryPoints: [join(root, 'grader', 'isolate', 'bridge.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['main'],
    target: 'es2022',
    external: ['crypto'],
    write: false,
    logLevel: 'silent',
    })
  ).outputFiles[0]!.text;

  const host = (
    await build({
    entryPoints: [join(root, 'grader', 'sandbox-process', 'host.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    external: ['isolated-vm'],
    })
  ).outputFiles[0]!.text;
  const { hostDir, dispose } = hostFolder(host);
  return { hostFile: join(hostDir, 'host.mjs'), hostDir, bridge, kit, dispose };
}

/**
 * A folder anyone may read holding `host` as host.mjs: `<tmp>/gradlab-host-<hash of host>`, shared
 * by every grading process of the kit and kept (shared-folder.ts); when that name is taken by
 * anything else, a private folder of this process's own, removed by `dispose`.
 */
function hostFolder(host: string): { hostDir: string; dispose: () => void } {
  const shared = sharedFolder(`gradlab-host-${createHash('sha256').update(host).digest('hex').slice(0, 16)}`, { 'host.mjs': host });
  if (shared !== null) return { hostDir: shared, dispose: () => {} };
  const own = mkdtempSync(join(tmpdir(), 'gradlab-host-'));
  chmodSync(own, 0o755);
  writeFileSync(join(own, 'host.mjs'), host, { mode: 0o644 });
  return { hostDir: own, dispose: () => rmSync(own, { recursive: true, force: true }) };
}

/** Removes what `buildKit` wrote (the next call builds again). */
export function disposeKitBuild(): void {
  const previous = built;
  built = null;
  void previous?.build.then((b) => b.dispose()).catch(() => {});
}
