/**
 * Vitest config for `npm run mistakes`: every mistaken copy of the solutions carries its exercise's
 * public suite beside it (see tools/mistakes.ts), so one project runs them all and each suite
 * imports its mistaken implementation directly. A reporter writes which tests failed per copy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const plan = JSON.parse(readFileSync(process.env['GRADLAB_MISTAKES_PLAN'] ?? '', 'utf8')) as {
  exercise: string;
  id: string;
  dir: string;
}[];

/** The run's scratch dir (tools/mistakes.ts): it holds the plan and every mistaken copy. */
const workDir = dirname(process.env['GRADLAB_MISTAKES_PLAN'] ?? '');

const collect: Reporter = {
  onTestRunEnd(modules: readonly TestModule[]) {
    const verdicts = plan.map((p) => ({ exercise: p.exercise, id: p.id, dir: p.dir, failed: [] as string[], passed: 0 }));
    for (const mod of modules) {
      const verdict = verdicts.find((v) => !relative(v.dir, mod.moduleId).startsWith('..'));
      if (!verdict) continue;
      const tests = [...mod.children.allTests()];
      if (tests.length === 0) verdict.failed.push(`(suite failed to load: ${mod.errors()[0]?.message ?? 'unknown error'})`);
      for (const t of tests) {
        const state = t.result().state;
        if (state === 'failed') verdict.failed.push(t.fullName);
        else if (state === 'passed') verdict.passed++;
      }
    }
    const results = verdicts.map(({ dir: _dir, ...v }) => v);
    writeFileSync(process.env['GRADLAB_MISTAKES_RESULTS'] ?? '', JSON.stringify(results, null, 2));
  },
};

export default defineConfig({
  root,
  test: {
    reporters: [collect],
    // Globs relative to the scratch dir itself: patterns that climb out of the root with '../'
    // find nothing once the root is 3 or more levels deep (a clone in /check/work/main, say).
    dir: workDir,
    include: plan.map((p) => `${relative(workDir, p.dir)}/${p.exercise}/*.test.ts`),
    setupFiles: ['lib/testing/setup.ts'],
    // Each copy is its own module (its own path), so the copies can share one module cache:
    // lib/ and the fixtures load once per worker instead of once per mistake.
    pool: 'threads',
    isolate: false,
  },
});
