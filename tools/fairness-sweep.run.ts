/**
 * The in-process part of `npm run fairness`, as one long vitest test (see tools/fairness.config.ts):
 * reads its options from GRADLAB_FAIRNESS_PLAN and writes the sweep's result to
 * GRADLAB_FAIRNESS_RESULTS for tools/fairness.ts to print.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'vitest';
import { loadMistakes } from './mistakes.ts';
import { correctImplementations, sweepVariants } from './fairness.ts';

test('fairness sweep of the variant checks', async () => {
  const plan = JSON.parse(readFileSync(process.env['GRADLAB_FAIRNESS_PLAN'] ?? '', 'utf8')) as { seeds: string[]; publicDraws: string[]; only: string[]; workDir: string };
  const started = Date.now();
  const result = await sweepVariants({
    seeds: plan.seeds,
    publicDraws: new Set(plan.publicDraws),
    only: plan.only,
    implementations: correctImplementations(),
    mistakes: await loadMistakes(plan.only),
    workDir: plan.workDir,
  });
  writeFileSync(process.env['GRADLAB_FAIRNESS_RESULTS'] ?? '', JSON.stringify({ ...result, seconds: (Date.now() - started) / 1000 }));
});
