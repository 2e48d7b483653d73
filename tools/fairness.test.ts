/**
 * The fairness sweep in small (tools/fairness.ts; `npm run fairness -- --seeds 1000` is the full
 * one): every correct implementation passes every check for 20 student seeds, and every typical
 * mistake is caught for each of them.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { correctImplementations, exerciseFiles, loadVariantChecks, makeWorkDir, REGRESSION_SEEDS, ROOT, runSuites, seedsFor, sweepVariants } from './fairness.ts';
import { loadMistakes, runMistakes } from './mistakes.ts';

describe('fairness', () => {
  test('hidden suites draw per-student inputs only through their variants.ts, so the sweep sees every seed-dependent check', async () => {
    const exercises = [...exerciseFiles().keys()];
    const checks = await loadVariantChecks(exercises);
    for (const ex of exercises) {
      const dir = join(ROOT, 'grader', 'exercises', ex);
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.test.ts'))) {
        const source = readFileSync(join(dir, f), 'utf8');
        expect(source, `grader/exercises/${ex}/${f} draws from the student's seed outside variants.ts`).not.toMatch(/\b(variantRng|studentSeed|rngFor)\(/);
      }
      const hidden = checks.get(ex)?.hidden ?? [];
      expect(hidden.length, `grader/exercises/${ex}/variants.ts lists variant checks`).toBeGreaterThan(0);
      const titles = hidden.map((c) => `${c.fn} › ${c.id}`);
      expect(new Set(titles).size, `variant checks of ${ex} have distinct titles`).toBe(titles.length);
    }
  });

  test(
    'every correct implementation written another way passes every public and hidden suite',
    () => {
      // The reference is the main run's own; the independent submission and the ports here.
      const others = correctImplementations().filter((i) => i.name !== 'reference');
      expect(others.length).toBeGreaterThanOrEqual(3);
      const workDir = makeWorkDir();
      try {
        const runs = runSuites(others, [], workDir);
        for (const r of runs) {
          expect(r.passed, `${r.name} ran the suites`).toBeGreaterThan(0);
          expect(r.failed.map((f) => `${f.test}: ${f.message.split('\n')[0]}`), `unfair failures of ${r.name}`).toEqual([]);
        }
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    },
    600_000,
  );

  test(
    '20 student seeds (the regression seeds first): no correct implementation fails a variant check, and every mistake is caught for every seed',
    async () => {
      const seeds = seedsFor(20);
      expect(seeds.slice(0, REGRESSION_SEEDS.length)).toEqual(REGRESSION_SEEDS);
      const mistakes = await loadMistakes();
      const workDir = makeWorkDir();
      try {
        const result = await sweepVariants({ seeds, mistakes, workDir });
        expect(result.checksRun).toBeGreaterThan(0);
        expect(result.failures.map((f) => `${f.implementation} ${f.exercise} ${f.check} (seed ${f.seed}): ${f.message.split('\n')[0]}`), 'unfair failures').toEqual([]);
        // Mistakes the variant checks miss for some seed must be caught by the public suites, which do not depend on the seed.
        const partly = result.mistakes.filter((m) => m.caughtByVariants < seeds.length);
        const verdicts = partly.length === 0 ? [] : runMistakes(mistakes.filter((m) => partly.some((p) => p.exercise === m.exercise && p.id === m.id)));
        const missed = verdicts.filter((v) => v.failed.length === 0).map((v) => `${v.exercise}/${v.id}`);
        expect(missed, 'mistakes caught neither by the public suites nor by every seed of the variant checks').toEqual([]);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    },
    600_000,
  );
});
