/**
 * `npm run grade`'s entry point, and the kit's one JavaScript file. It exists for speed:
 *
 * - V8 optimizes less eagerly (below);
 * - the grader's own TypeScript runs from a compiled copy in the kit cache when one matches the
 *   sources exactly (a hash of every file below); then the grader starts its preparation thread
 *   first and loads vitest while that thread prepares the submission;
 * - otherwise it runs through tsx, and the grader's preparation thread, which loads the TypeScript
 *   compiler anyway, writes that copy for next time. Then vitest and vite (hundreds of plain
 *   JavaScript modules) load before tsx is registered, so they do not pay tsx's per-import round
 *   trip to its loader thread (Node 20 runs module hooks off-thread).
 *
 * Everything else is grader/cli.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// V8 optimizes a function (TurboFan, on background threads) once it has run for a budget of
// bytecode. A grading run lasts seconds: much of what crosses the default budget runs a few hundred
// times and is done, and compiling it cost ~1.7 s of CPU per run (map2 and reduce of lib/tensor.ts
// alone were compiled 8 times each, deoptimized by every new tensor shape). Four times the default
// budget still optimizes the truly hot code: measured about −0.5 s CPU per grading. Set before
// anything else loads, so every thread of the grader uses it (the sandboxes keep V8's defaults).
setFlagsFromString('--interrupt-budget=270336');

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** Folders of grader/ that the grading process never imports (suites, data, other tools). */
const SKIP = new Set(['tests', 'hidden', 'fixtures', 'mistakes']);

/** The grader's TypeScript sources: what the compiled copy is built from. */
function sources() {
  const files = ['lib/testing/implementation.ts'];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name)) walk(rel);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        files.push(rel);
      }
    }
  };
  walk('grader');
  return files.sort();
}

const files = sources();
const hash = createHash('sha256').update(process.version);
for (const file of files) hash.update(file).update('\0').update(readFileSync(join(root, file))).update('\0');
const dir = join(root, 'node_modules', '.cache', 'gradlab-grader', 'v1', `main-${hash.digest('hex').slice(0, 40)}`);
process.env.GRADLAB_KIT_ROOT = root;

if (existsSync(join(dir, 'grader', 'cli.js'))) {
  process.env.GRADLAB_COMPILED_GRADER = dir;
  await import(pathToFileURL(join(dir, 'grader', 'cli.js')).href);
} else {
  // Built by the preparation thread during this run (see Grader.grade).
  process.env.GRADLAB_GRADER_BUILD = JSON.stringify({ dir, modules: files.map((f) => relative(root, join(root, f))) });
  await import('vitest/node');
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}
