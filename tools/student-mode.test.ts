/**
 * The student's view, proven: run every public suite against the stubs in `exercises/` (as a student
 * release would) and require that every exercise test fails, each with the stub's
 * "not implemented yet" message — no import, type or fixture error anywhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from './stubs.ts';

interface JsonReport {
  numTotalTests: number;
  testResults: { name: string; status: string; message: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

test('on the stubs, every exercise test fails with "not implemented yet" and nothing else', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-student-'));
  const out = join(dir, 'report.json');
  let report: JsonReport;
  try {
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--mode', 'student', '--reporter=json', `--outputFile=${out}`], {
      cwd: ROOT,
      env: { ...process.env, GRADLAB_IMPL: '' },
      encoding: 'utf8',
    });
    report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const exercises = readdirSync(join(ROOT, 'exercises')).filter((d) => /^[0-9]{2}-/.test(d));
  for (const ex of exercises) {
    expect(report.testResults.some((r) => r.name.includes(`/exercises/${ex}/`)), `${ex} has a public suite that ran`).toBe(true);
  }
  for (const file of report.testResults) {
    expect(file.message, `${file.name} loaded without a suite-level error`).toBe('');
    expect(file.assertionResults.length, `${file.name} has tests`).toBeGreaterThan(0);
    for (const t of file.assertionResults) {
      expect(t.status, `${t.fullName} fails on the stub`).toBe('failed');
      expect(t.failureMessages.join('\n'), `${t.fullName} fails with the not-implemented message`).toMatch(
        /NotImplementedError: not implemented yet: \w+ \(exercises\/[0-9]{2}-[a-z0-9-]+\/[\w-]+\.ts\)/,
      );
    }
  }
  expect(report.numTotalTests).toBeGreaterThan(0);
});
