/**
 * Vitest config for `npm run fairness` (tools/fairness.ts), in one of two modes:
 *
 * - `GRADLAB_FAIRNESS_MODE=suites`: the seed-independent part. Every public and hidden suite, once
 *   per correct implementation, in one vitest process: each implementation is a project whose
 *   plugin resolves the suites' imports of `exercises/NN-slug/…` into its folder. A reporter
 *   writes each project's failed tests.
 * - `GRADLAB_FAIRNESS_MODE=sweep`: the seed-dependent part, tools/fairness-sweep.run.ts, which
 *   calls the variant checks in-process for many seeds. It runs inside vitest because the checks
 *   assert with vitest's `expect` and the kit's matchers, which need a test runner around them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';
import { directoryPlugin } from './vitest/implementation.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const mode = process.env['GRADLAB_FAIRNESS_MODE'];

function suitesConfig(): ReturnType<typeof defineConfig> {
  const plan = JSON.parse(readFileSync(process.env['GRADLAB_FAIRNESS_PLAN'] ?? '', 'utf8')) as { name: string; dir: string; exercises: string[] }[];
  const collect: Reporter = {
    onTestRunEnd(modules: readonly TestModule[]) {
      const results = plan.map((p) => ({ name: p.name, passed: 0, failed: [] as { test: string; message: string }[] }));
      for (const mod of modules) {
        const result = results.find((r) => r.name === mod.project.name);
        if (!result) continue;
        const tests = [...mod.children.allTests()];
        if (tests.length === 0) result.failed.push({ test: mod.moduleId, message: `suite failed to load: ${mod.errors()[0]?.message ?? 'unknown error'}` });
        for (const t of tests) {
          const r = t.result();
          if (r.state === 'failed') result.failed.push({ test: `${mod.moduleId.replace(root, '')} › ${t.fullName}`, message: r.errors?.[0]?.message ?? '' });
          else if (r.state === 'passed') result.passed++;
        }
      }
      writeFileSync(process.env['GRADLAB_FAIRNESS_RESULTS'] ?? '', JSON.stringify(results, null, 2));
    },
  };
  return defineConfig({
    test: {
      reporters: [collect],
      projects: plan.map((p) => ({
        root,
        plugins: [directoryPlugin(root, p.dir, `gradlab:fairness:${p.name}`)],
        test: {
          name: p.name,
          include: p.exercises.flatMap((ex) => [`exercises/${ex}/*.test.ts`, `grader/exercises/${ex}/*.test.ts`]),
          setupFiles: ['lib/testing/setup.ts'],
        },
      })),
    },
  });
}

function sweepConfig(): ReturnType<typeof defineConfig> {
  return defineConfig({
    root,
    test: {
      include: ['tools/fairness-sweep.run.ts'],
      setupFiles: ['lib/testing/setup.ts'],
      reporters: ['dot'],
      testTimeout: 0,
    },
  });
}

if (mode !== 'suites' && mode !== 'sweep') throw new Error(`tools/fairness.config.ts: GRADLAB_FAIRNESS_MODE must be 'suites' or 'sweep', got '${mode}'`);
export default mode === 'suites' ? suitesConfig() : sweepConfig();
