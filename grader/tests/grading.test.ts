/**
 * The grader graded: the reference solutions score 100 %, the stubs score 0 with "not implemented"
 * everywhere, and every misbehaving submission of the corpus (corpus.ts) is graded without a crash,
 * loses points only where it misbehaves, for the right reason, and nothing a student receives
 * holds an expected value of a hidden case.
 *
 * The submissions are graded by the real CLI in one child process (`npm run grade -- a b c …`
 * minus npm); the tests below read what it wrote.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GradeReport } from '../reports/report.ts';
import type { TestOutcome } from '../results.ts';
import { buildSubmission, callersOf, corpus, ROOT, type CorpusSubmission, type Expectation } from './corpus.ts';

const EXERCISES = readdirSync(join(ROOT, 'exercises')).filter((d) => /^[0-9]{2}-/.test(d));
const STUDENT_FILES = ['results.json', 'feedback.md', 'feedback.html', ...EXERCISES.map((e) => `exercism/${e}/results.json`)];

interface Run {
  report: GradeReport;
  exitCode: number | null;
  stderr: string;
  out: string;
}

let work = '';
const runs = new Map<string, Promise<Run>>();
let submissions: CorpusSubmission[] = [];

/** A clean environment for the child grader: nothing of this vitest run leaks into its own. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|__VITEST|TEST$|NODE_ENV$|GRADLAB_)/.test(k)));
}

/**
 * Grades several submissions with one grader (one vitest instance) in a child process: the way
 * `npm run grade -- a b c` does, and far cheaper than one process each.
 */
function gradeInChild(dirs: string[], outRoot: string, extra: string[]): Promise<Map<string, Run>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'grader', 'start.mjs'), ...dirs, '--out', outRoot, '--json', '--seed', 'corpus-student', ...extra], {
      cwd: ROOT,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (exitCode) => {
      try {
        const runs = new Map<string, Run>();
        for (const dir of dirs) {
          const out = join(outRoot, basename(dir));
          const report = JSON.parse(readFileSync(join(out, 'grade.json'), 'utf8')) as GradeReport;
          runs.set(basename(dir), { report, exitCode, stderr, out });
        }
        resolve(runs);
      } catch (error) {
        reject(new Error(`grading wrote no grade.json (exit ${exitCode}): ${stderr.slice(-2000)} ${(error as Error).message}`));
      }
    });
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gradlab-corpus-'));
  submissions = await corpus();
  for (const s of submissions) buildSubmission(s, join(work, s.name));
  // The reference and the stubs under their own names: the output folders are named after them.
  const reference = join(work, 'reference');
  const stubs = join(work, 'stubs');
  const stubsAgain = join(work, 'stubs-again');
  for (const [from, to] of [
    [join(ROOT, 'solutions'), reference],
    [join(ROOT, 'exercises'), stubs],
    [join(ROOT, 'exercises'), stubsAgain],
    [join(ROOT, 'grader', 'tests', 'independent'), join(work, 'independent')],
  ] as const) {
    for (const exercise of readdirSync(from).filter((d) => /^[0-9]{2}-/.test(d))) cpSync(join(from, exercise), join(to, exercise), { recursive: true });
  }
  // One grader for all of them (vitest starts once); short limits keep the hostile run quick.
  // The stubs first, so that their suites really run (a later untouched stub is not run again).
  const names = ['stubs', 'reference', 'independent', ...submissions.map((s) => s.name), 'stubs-again'];
  const all = gradeInChild(
    names.map((name) => join(work, name)),
    join(work, 'out'),
    ['--call-timeout', '600', '--memory', '128'],
  );
  all.catch(() => {});
  for (const name of names) {
    const run = all.then((m) => m.get(name)!);
    run.catch(() => {});
    runs.set(name, run);
  }
}, 10_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const RUN_TIMEOUT = 240_000;

function run(name: string): Promise<Run> {
  const r = runs.get(name);
  if (!r) throw new Error(`no run ${name}`);
  return r;
}

function testsOf(report: GradeReport, exercise: string): TestOutcome[] {
  return report.outcomes.filter((o) => o.exercise === exercise);
}

describe('reference and stubs', () => {
  test('the reference solutions score 100 % with every public and hidden test passing', async () => {
    const { report } = await run('reference');
    expect(report.status).toBe('graded');
    const failed = report.outcomes.filter((o) => o.status !== 'passed').map((o) => `${o.suite} › ${o.title}: ${o.failure?.summary}`);
    expect(failed).toEqual([]);
    expect(report.score.points).toBeCloseTo(report.score.maxPoints, 9);
    expect(report.hiddenExercises.length).toBeGreaterThan(0);
    expect(report.score.warnings).toEqual([]);
  }, RUN_TIMEOUT);

  test('an independent correct submission (grader/tests/independent) scores 100 %, hidden and variant cases included', async () => {
    const { report } = await run('independent');
    const failed = report.outcomes.filter((o) => o.status !== 'passed').map((o) => `${o.suite} › ${o.title}: ${o.failure?.summary}`);
    expect(failed).toEqual([]);
    expect(report.score.points).toBeCloseTo(report.score.maxPoints, 9);
    expect(report.outcomes.length).toBe((await run('reference')).report.outcomes.length);
  }, RUN_TIMEOUT);

  test('the stubs score 0 and every test says "not implemented"', async () => {
    const { report } = await run('stubs');
    expect(report.score.points).toBe(0);
    const other = report.outcomes.filter((o) => o.failure?.category !== 'not-implemented').map((o) => `${o.title}: ${o.failure?.category}`);
    expect(other).toEqual([]);
    expect(readFileSync(join((await run('stubs')).out, 'feedback.md'), 'utf8')).not.toMatch(/all .*tests passed/i);
    expect(report.timings['tests'], 'the suites ran').toBeGreaterThan(0);
  }, RUN_TIMEOUT);

  test('a later submission of the untouched stubs gets the same grade without running its tests again, and is told why', async () => {
    const first = (await run('stubs')).report;
    const again = (await run('stubs-again')).report;
    expect(again.timings['tests'], 'no suite ran').toBeUndefined();
    expect(again.score.points).toBe(0);
    expect(again.outcomes.map((o) => [o.title, o.failure?.category])).toEqual(first.outcomes.map((o) => [o.title, o.failure?.category]));
    expect(again.notes.filter((n) => /distributed stubs, unchanged/.test(n))).toHaveLength(first.exercises.length);
  }, RUN_TIMEOUT);
});

function checkExpectation(report: GradeReport, e: Expectation): void {
  const tests = testsOf(report, e.exercise);
  expect(tests.length, `${e.exercise} ran no tests`).toBeGreaterThan(0);
  const failed = tests.filter((t) => t.status === 'failed');
  const describeFailures = (list: TestOutcome[]): string[] => list.map((t) => `${t.title} [${t.failure?.category}] ${t.failure?.summary}`);
  switch (e.outcome) {
    case 'pass':
      expect(describeFailures(failed)).toEqual([]);
      return;
    case 'all-fail':
      expect(describeFailures(tests.filter((t) => t.failure?.category !== e.category))).toEqual([]);
      if (e.reason) expect(describeFailures(tests.filter((t) => t.visibility === 'public' && !e.reason!.test(t.failure?.summary ?? '')))).toEqual([]);
      return;
    case 'fn-fails': {
      const affected = callersOf(e.exercise, e.fn);
      const touches = (t: TestOutcome): boolean => t.called.some((c) => affected.has(c));
      expect(failed.length, `no test of ${e.exercise} failed`).toBeGreaterThan(0);
      expect(describeFailures(failed.filter((t) => !touches(t))), 'tests that never call the broken function must pass').toEqual([]);
      if (e.every) expect(describeFailures(tests.filter((t) => t.called.includes(e.fn) && t.status !== 'failed')), `tests calling ${e.fn} that passed`).toEqual([]);
      const right = failed.filter((t) => t.failure?.category === e.category && (!e.reason || e.reason.test(t.failure.summary)));
      expect(right.length, `no failure of category ${e.category}${e.reason ? ` matching ${e.reason}` : ''}: ${describeFailures(failed).slice(0, 5).join(' | ')}`).toBeGreaterThan(0);
      return;
    }
    case 'diagnosed': {
      const exercise = report.score.exercises.find((x) => x.exercise === e.exercise)!;
      expect(exercise.points).toBeLessThan(exercise.maxPoints);
      expect(exercise.diagnoses.map((d) => d.mistake)).toContain(e.mistake);
      return;
    }
  }
}

describe('the corpus of misbehaving submissions', async () => {
  const list = await corpus();
  for (const submission of list) {
    describe(`${submission.name}: ${submission.description}`, () => {
      test('is graded without a grader error', async () => {
        const { report, exitCode, stderr } = await run(submission.name);
        expect(report.errors, stderr.slice(-2000)).toEqual([]);
        expect(exitCode).toBe(0);
      }, RUN_TIMEOUT);
      for (const e of submission.expect) {
        test(`${e.exercise}: ${e.outcome === 'fn-fails' ? `only the tests using ${e.fn} fail (${e.category})` : e.outcome === 'diagnosed' ? `loses points and is diagnosed as ${e.mistake}` : e.outcome === 'all-fail' ? `every test fails (${e.category})` : 'every test passes'}`, async () => {
          checkExpectation((await run(submission.name)).report, e);
        }, RUN_TIMEOUT);
      }
    });
  }
});

/** Every number of every hidden fixture's expected values, as the strings that could leak. */
function hiddenExpectedNumbers(): Set<string> {
  const numbers = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v) && Math.abs(v) > 1e-6) {
        numbers.add(String(v));
        numbers.add(v.toPrecision(8));
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const exercise of readdirSync(join(ROOT, 'fixtures'))) {
    try {
      const fixture = JSON.parse(readFileSync(join(ROOT, 'fixtures', exercise, 'hidden.json'), 'utf8')) as { cases: { expected: unknown }[] };
      for (const c of fixture.cases) walk(c.expected);
    } catch {
      /* no hidden fixture */
    }
  }
  return numbers;
}

describe('feedback policy', () => {
  test('no expected value of a hidden case appears in anything a student receives', async () => {
    const numbers = hiddenExpectedNumbers();
    expect(numbers.size).toBeGreaterThan(100);
    for (const name of runs.keys()) {
      const { out } = await run(name);
      for (const file of STUDENT_FILES) {
        const text = readFileSync(join(out, file), 'utf8');
        const tokens = new Set(text.match(/-?\d+\.\d+(?:e[-+]?\d+)?/g) ?? []);
        const leaked = [...tokens].filter((t) => numbers.has(t));
        expect(leaked, `${name}/${file}`).toEqual([]);
      }
    }
  }, RUN_TIMEOUT);

  test('hidden failures name the case and the kind of failure, never the assertion message', async () => {
    const { report } = await run('patched-globals');
    const hidden = report.outcomes.filter((o) => o.visibility === 'hidden' && o.status === 'failed');
    expect(hidden.length).toBeGreaterThan(0);
    for (const o of hidden) {
      expect(o.caseId, o.title).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      expect(o.failure?.detail).toBeUndefined();
      expect(o.output).toBeUndefined();
      expect(o.failure?.summary).not.toMatch(/expected/);
    }
  }, RUN_TIMEOUT);

  test('results.json has Gradescope\'s fields and adds up', async () => {
    const { out, report } = await run('patched-globals');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      score: number;
      max_score: number;
      tests: { name: string; score: number; max_score: number; status: string; output: string; visibility: string }[];
    };
    expect(results.max_score).toBe(report.score.maxPoints);
    expect(results.tests.length).toBe(report.outcomes.length);
    const sum = results.tests.reduce((a, t) => a + t.score, 0);
    expect(Math.abs(sum - results.score), 'the tests add up to the total, to 0.01').toBeLessThanOrEqual(0.01);
    for (const t of results.tests) {
      expect(['passed', 'failed']).toContain(t.status);
      expect(typeof t.name).toBe('string');
      expect(['visible', 'hidden', 'after_due_date', 'after_published']).toContain(t.visibility);
    }
  }, RUN_TIMEOUT);

  test("Exercism's results follow its test-runner interface (version 3), one file per exercise", async () => {
    const { out } = await run('broken-sources');
    type Results = { version: number; status: string; message: string | null; tests: { name: string; test_code: string; status: string; message: string | null; output?: string }[] };
    const of = (exercise: string): Results => JSON.parse(readFileSync(join(out, 'exercism', exercise, 'results.json'), 'utf8')) as Results;
    // 04: layernormForward returns NaN: some tests fail, others pass, none errs for good.
    const mixed = of('04-groupnorm');
    expect(mixed.version).toBe(3);
    expect(mixed.status).toBe('fail');
    expect(mixed.message, 'a top-level message only when no test ran').toBeNull();
    expect(new Set(mixed.tests.map((t) => t.status))).toEqual(new Set(['pass', 'fail']));
    for (const t of mixed.tests) expect(t.test_code.length, t.name).toBeGreaterThan(0);
    // 01 does not compile: no test ran, so status error and a message saying why.
    const broken = of('01-activations');
    expect(broken.status).toBe('error');
    expect(broken.message).toMatch(/does not compile/);
    expect(of('03-batchnorm').status).toBe('pass');
    // 02: a missing export errs in the tests that use it, the others still run: fail, not error.
    const partial = of('02-weight-init');
    expect(partial.status).toBe('fail');
    expect(partial.tests.some((t) => t.status === 'error') && partial.tests.some((t) => t.status === 'pass')).toBe(true);
  }, RUN_TIMEOUT);

  test("Exercism's output is cut at 500 characters with the notice its interface asks for", async () => {
    const { out } = await run('hostile-runtime');
    const results = JSON.parse(readFileSync(join(out, 'exercism', '05-gradient-check', 'results.json'), 'utf8')) as { tests: { output?: string }[] };
    const printed = results.tests.filter((t) => t.output !== undefined);
    expect(printed.length).toBeGreaterThan(0);
    for (const t of printed) {
      expect(t.output!.length).toBeLessThanOrEqual(500);
      expect(t.output).toMatch(/Output was truncated\. Please limit to 500 chars\.$/);
    }
  }, RUN_TIMEOUT);
});
