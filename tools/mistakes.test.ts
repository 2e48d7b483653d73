/** Every typical mistake in grader/exercises/NN-slug/mistakes.ts is caught by at least one public test (see tools/mistakes.ts). */
import { expect, test } from 'vitest';
import { loadMistakes, runMistakes } from './mistakes.ts';

test('every typical mistake makes at least one public test fail', async () => {
  const mistakes = await loadMistakes();
  expect(mistakes.length).toBeGreaterThan(0);
  const verdicts = runMistakes(mistakes);
  expect(verdicts).toHaveLength(mistakes.length);
  const missed = verdicts.filter((v) => v.failed.length === 0).map((v) => `${v.exercise}/${v.id} (all ${v.passed} tests pass)`);
  expect(missed, 'mistakes the public tests do not catch').toEqual([]);
}, 120_000);
