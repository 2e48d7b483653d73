/**
 * Vitest config for `npm run mistakes`: one project per mistaken copy of the solutions, each
 * running its exercise's public suite with imports redirected to the copy. A reporter writes
 * which tests failed per project.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';
import { directoryPlugin } from '../lib/testing/implementation.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const plan = JSON.parse(readFileSync(process.env['GRADLAB_MISTAKES_PLAN'] ?? '', 'utf8')) as {
  exercise: string;
  id: string;
  dir: string;
}[];

const collect: Reporter = {
  onTestRunEnd(modules: readonly TestModule[]) {
    const verdicts = plan.map((p) => ({ exercise: p.exercise, id: p.id, failed: [] as string[], passed: 0 }));
    for (const mod of modules) {
      const verdict = verdicts.find((v) => `${v.exercise}/${v.id}` === mod.project.name);
      if (!verdict) continue;
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) verdict.failed.push(`(suite failed to load: ${mod.errors()[0]?.message ?? 'unknown error'})`);
      for (const t of mod.children.allTests()) {
        const state = t.result().state;
        if (state === 'failed') verdict.failed.push(t.fullName);
        else if (state === 'passed') verdict.passed++;
      }
    }
    writeFileSync(process.env['GRADLAB_MISTAKES_RESULTS'] ?? '', JSON.stringify(verdicts, null, 2));
  },
};

export default defineConfig({
  root,
  test: {
    reporters: [collect],
    projects: plan.map((p) => ({
      plugins: [directoryPlugin(root, p.dir)],
      test: {
        name: `${p.exercise}/${p.id}`,
        root,
        include: [`exercises/${p.exercise}/**/*.test.ts`],
        setupFiles: ['lib/testing/setup.ts'],
      },
    })),
  },
});
