/**
 * The lecture parts (exercises 07, 08, 10) as the trainer loads them: the reference solutions fit
 * the types network/ writes down for them (checked by tsc), each is loaded only when asked for, and
 * a folder without one is one clear error.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as babysitting from '../solutions/07-babysitting/babysitting.ts';
import * as hyperparameterSearch from '../solutions/08-hyperparameter-search/hyperparameter-search.ts';
import * as preluMaxout from '../solutions/10-prelu-maxout/prelu-maxout.ts';
import { ImplementationError, KIT_ROOT, loadBuildingBlocks, PARTS } from './building-blocks.ts';
import { randomSearch } from './search.ts';
import { lecturePart, lecturePartsFor, type Babysitting, type HyperparameterSearch, type LearnedActivations } from './lecture-blocks.ts';

// The reference fits what the trainer calls: a change to an exercise's signature fails tsc here.
const fits: [Babysitting, HyperparameterSearch, LearnedActivations] = [babysitting, hyperparameterSearch, preluMaxout];

const dir = mkdtempSync(join(tmpdir(), 'gradlab-lecture-blocks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lecture blocks', () => {
  test('lecturePartsFor › --sanity needs 07, --search 08, a learned activation 10, and nothing else needs any', () => {
    expect(lecturePartsFor({ sanity: false, search: false, learned: false })).toEqual([]);
    expect(lecturePartsFor({ sanity: true, search: true, learned: true })).toEqual(['babysitting', 'search', 'learned']);
  });

  test('loadBuildingBlocks › loads a lecture part only when asked, from the same folder as the others', async () => {
    expect(fits).toHaveLength(3);
    const core = await loadBuildingBlocks('solutions', KIT_ROOT);
    expect(core.babysitting).toBeUndefined();
    expect(core.files).not.toHaveProperty('babysitting');
    expect(() => lecturePart(core, 'babysitting')).toThrow(/did not load 07-babysitting/);
    const all = await loadBuildingBlocks('solutions', KIT_ROOT, ['babysitting', 'search', 'learned']);
    expect(all.files.learned).toContain(join('solutions', '10-prelu-maxout', 'prelu-maxout.ts'));
    expect(lecturePart(all, 'search').rankTrials([{ config: { a: 1 }, score: 0.2 }, { config: { a: 2 }, score: 0.7 }]).map((r) => r.score)).toEqual([0.7, 0.2]);
  });

  test("randomSearch › hands the student's 08 functions configs with the space's names only, and accepts a rankTrials that returns copies", () => {
    const seen: string[][] = [];
    const student = {
      ...hyperparameterSearch,
      // A correct coarseToFine that reads every name of a config as a dimension of the space.
      coarseToFine: (...args: Parameters<typeof hyperparameterSearch.coarseToFine>) => {
        for (const r of args[0]) seen.push(Object.keys(r.config).sort());
        return hyperparameterSearch.coarseToFine(...args);
      },
      rankTrials: (results: Parameters<typeof hyperparameterSearch.rankTrials>[0]) => hyperparameterSearch.rankTrials(results).map((r) => ({ config: { ...r.config }, score: r.score })),
    };
    const ranked = randomSearch((lr, reg) => -Math.abs(Math.log10(lr) + 3) - Math.abs(Math.log10(reg) + 4), { trials: 8, ranges: { learningRate: [1e-5, 1e-1], reg: [1e-6, 1e-2] }, seed: 'blocks', search: student });
    expect(seen.length).toBeGreaterThan(0);
    for (const names of seen) expect(names).toEqual(['learningRate', 'reg']);
    expect(ranked).toHaveLength(8);
    expect(new Set(ranked).size, 'every trial once').toBe(8);
    expect(ranked.map((p) => p.valAcc)).toEqual([...ranked.map((p) => p.valAcc)].sort((a, b) => b - a));
  });

  test('loadBuildingBlocks › a folder with 01–06 only trains, and names the missing file when a flag needs 10', async () => {
    // A kit whose exercises/ holds 01–06 only, each file the reference.
    const kit = join(dir, 'first-half');
    const root = join(kit, 'exercises');
    mkdirSync(root, { recursive: true });
    symlinkSync(join(KIT_ROOT, 'lib'), join(kit, 'lib'));
    for (const [part, { exercise, file }] of Object.entries(PARTS)) {
      if (part === 'babysitting' || part === 'search' || part === 'learned') continue;
      mkdirSync(join(root, exercise));
      copyFileSync(join(KIT_ROOT, 'solutions', exercise, file), join(root, exercise, file));
    }
    await expect(loadBuildingBlocks(root, KIT_ROOT)).resolves.toHaveProperty('reference', false);
    const error = await loadBuildingBlocks(root, KIT_ROOT, ['learned']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImplementationError);
    expect((error as Error).message).toMatch(/^--impl \S+: missing 10-prelu-maxout\/prelu-maxout.ts \(looked in /);
  });
});
