/**
 * The grader's small parts: the generator positions the sandbox relies on, the rubric and its
 * schema against the suites, the feedback's escaping and wording, atomic writes and the failure
 * classification that decides what a hidden test may say.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestError } from 'vitest';
import { describe, expect, test } from 'vitest';
import { advanceRng, createRng, drawsOf } from '../../lib/random.ts';
import { discoverExercises } from '../discover.ts';
import { feedbackHtml, feedbackMarkdown, mdCode, mdFence, mdText } from '../reports/feedback.ts';
import { summarySentence, type GradeReport } from '../reports/report.ts';
import { writeFileAtomic } from '../reports/write.ts';
import { classifyFailure, parseTitle, type TestOutcome } from '../results.ts';
import { loadRubric, parseRubric, RubricError } from '../rubric.ts';
import { scoreOutcomes } from '../score.ts';
import { sharedFolder } from '../shared-folder.ts';
import { sameOutputs } from '../test-worker/diagnose.ts';
import { ROOT } from './corpus.ts';

describe('shared folders in the temp dir', () => {
  test('made once and reused; refused when its contents differ or others may change them', () => {
    const name = `gradlab-unit-shared-${process.pid}-${Date.now()}`;
    const path = join(tmpdir(), name);
    try {
      const files = { 'a.txt': 'one', 'sub/b.bin': Buffer.from([1, 2, 3]) };
      expect(sharedFolder(name, files)).toBe(path);
      expect(readFileSync(join(path, 'sub/b.bin'))).toEqual(Buffer.from([1, 2, 3]));
      expect(statSync(join(path, 'sub')).mode & 0o777).toBe(0o755);
      expect(statSync(join(path, 'a.txt')).mode & 0o777).toBe(0o644);
      expect(sharedFolder(name, files), 'the second process finds it').toBe(path);
      expect(sharedFolder(name, { ...files, 'a.txt': 'two' }), 'other contents under the name').toBeNull();
      chmodSync(join(path, 'a.txt'), 0o666);
      expect(sharedFolder(name, files), 'a file others may change').toBeNull();
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith(`${name}-building-`)), 'nothing left aside').toEqual([]);
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });
});

describe('diagnosis comparisons', () => {
  test('numbers and tensors within a tight closeness, booleans and labels exactly, sentences and caches never', () => {
    const t = { shape: [2], data: Float64Array.of(1, 2) };
    expect(sameOutputs({ out: { shape: [2], data: Float64Array.of(1, 2 + 1e-12) }, cache: 1 }, { out: t, cache: 2 })).toBe(true);
    expect(sameOutputs({ out: { shape: [2], data: Float64Array.of(1, 2.1) } }, { out: t })).toBe(false);
    expect(sameOutputs({ passed: false, detail: 'my words' }, { passed: true, detail: 'the reference words' })).toBe(false);
    expect(sameOutputs({ passed: true, detail: 'my words' }, { passed: true, detail: 'the reference words' }), 'a sentence is the student\'s own').toBe(true);
    expect(sameOutputs({ diagnosis: 'lr-too-low', start: 2 }, { diagnosis: 'lr-too-high', start: 2 })).toBe(false);
    expect(sameOutputs('too-high', 'too-high')).toBe(true);
    expect(sameOutputs({ detail: 'a b' }, { detail: 'c d' }), 'nothing comparable').toBeNull();
  });
});

describe('generator replication', () => {
  test.for([
    ['uniform', (r: ReturnType<typeof createRng>) => r.uniform()],
    ['randn', (r: ReturnType<typeof createRng>) => r.randn()],
    ['randint', (r: ReturnType<typeof createRng>) => r.randint(0, 7)],
    ['shuffle', (r: ReturnType<typeof createRng>) => r.shuffle([1, 2, 3, 4, 5])],
    ['permutation', (r: ReturnType<typeof createRng>) => r.permutation(6)],
  ] as const)('%s: a replica advanced by drawsOf continues where the original stands (lib/random.ts draw order)', ([, draw]) => {
    const original = createRng('count');
    for (let i = 0; i < 3; i++) draw(original);
    const replica = createRng('count');
    advanceRng(replica, drawsOf(original)!);
    expect(original.uniform()).toBe(replica.uniform());
  });
});

describe('rubric', () => {
  const rubric = loadRubric(ROOT);
  const schema = readFileSync(join(ROOT, 'grader', 'rubric.schema.json'), 'utf8');

  test('every exercise of the kit has points, and every group its suites use is priced', () => {
    for (const exercise of discoverExercises(ROOT)) {
      const entry = rubric.exercises[exercise.id];
      expect(entry, `${exercise.id} has no grader/exercises/${exercise.id}/rubric.json`).toBeDefined();
      const groups = new Set<string>();
      for (const suite of [...exercise.publicSuites, ...exercise.hiddenSuites]) {
        for (const m of readFileSync(join(ROOT, suite), 'utf8').matchAll(/^describe\((['"])(.+?)\1/gm)) groups.add(m[2]!);
      }
      expect([...groups].filter((g) => !(g in entry!.points)), exercise.id).toEqual([]);
      expect(Object.keys(entry!.points).filter((g) => !groups.has(g)), `${exercise.id} prices groups no suite uses`).toEqual([]);
    }
  });

  test('a malformed rubric is an error naming the JSON path', () => {
    const course = JSON.stringify({ title: 'x', groups: ['values'] });
    const bad = { '03-batchnorm': JSON.stringify({ points: { values: -1 } }) };
    expect(() => parseRubric(course, schema, bad)).toThrow(RubricError);
    expect(() => parseRubric(course, schema, bad)).toThrow(/grader\/exercises\/03-batchnorm\/rubric.json: \/points\/values must be >= 0/);
    const unknownGroup = { '03-batchnorm': JSON.stringify({ points: { shapes: 1 } }) };
    expect(() => parseRubric(course, schema, unknownGroup)).toThrow(/points\/shapes is not one of the groups/);
  });
});

function outcome(partial: Partial<TestOutcome>): TestOutcome {
  return {
    exercise: '03-batchnorm',
    visibility: 'hidden',
    suite: 'grader/exercises/03-batchnorm/batchnorm.hidden.test.ts',
    group: 'values',
    title: 'batchnormForward › case-a: a case',
    fn: 'batchnormForward',
    caseId: 'case-a',
    description: 'a case',
    status: 'passed',
    durationMs: 1,
    diagnoses: [],
    called: ['batchnormForward'],
    ...partial,
  };
}

describe('scores and feedback', () => {
  const rubric = loadRubric(ROOT);

  test('a group shares its points equally among its tests; partial credit is the share passed', () => {
    const tests = [
      outcome({ group: 'values', status: 'passed' }),
      outcome({ group: 'values', status: 'failed' }),
      outcome({ group: 'shapes', status: 'passed', visibility: 'public' }),
    ];
    const score = scoreOutcomes(tests, ['03-batchnorm'], rubric);
    const e = score.exercises[0]!;
    expect(e.maxPoints).toBe(20);
    // Only 'values' (6) and 'shapes' (1) have tests: their 7 points are scaled up to the 20.
    expect(e.groups.find((g) => g.group === 'values')!.maxPoints).toBeCloseTo((6 * 20) / 7, 9);
    expect(e.points).toBeCloseTo((3 * 20) / 7 + 20 / 7, 9);
    expect(score.warnings.some((w) => w.includes("'gradients'"))).toBe(true);
  });

  test('a title splits into function, case id and description', () => {
    expect(parseTitle('batchnormForward › rejects-3d-x: an x of shape [2, 3, 4]')).toEqual({ fn: 'batchnormForward', caseId: 'rejects-3d-x', description: 'an x of shape [2, 3, 4]' });
    expect(parseTitle('relError › is symmetric')).toEqual({ fn: 'relError', description: 'is symmetric' });
  });

  test('a hidden failure says what kind of failure in the grader\'s words — no message, error name, count or error size the submission chose — and keeps the message for the instructor', () => {
    const error = { name: 'AssertionError', message: 'out differs: got 1.2345, expected 9.8765' } as TestError;
    const verdicts = [{ what: 'out', kind: 'values' as const, worstRelError: 0.25, count: 3, size: 20 }];
    const values = classifyFailure([error], { called: [], failures: [], verdicts }, 'values', 'f', 'hidden');
    expect(values).toEqual({ category: 'values', summary: '`out` has wrong values', instructorDetail: 'AssertionError: out differs: got 1.2345, expected 9.8765' });
    expect(classifyFailure([error], { called: [], failures: [], verdicts }, 'values', 'f', 'public').summary).toBe('`out` has wrong values: 3 of 20 elements out of tolerance, worst relative error 2.5e-1');
    const threw = { name: 'LEAK 0.123456', message: 'secret input 0.123456' } as TestError;
    const meta = { called: [], verdicts: [], failures: [{ kind: 'threw' as const, fn: 'f', message: 'f threw LEAK 0.123456: secret input 0.123456', errorName: 'LEAK 0.123456', errorMessage: 'secret input 0.123456' }] };
    const hidden = classifyFailure([threw], meta, 'values', 'f', 'hidden');
    expect(hidden.summary).toBe('f threw an error');
    expect(hidden.detail).toBeUndefined();
    expect(classifyFailure([threw], meta, 'values', 'f', 'public').detail).toContain('secret input 0.123456');
  });

  test('the summary says "all tests passed" only when hidden tests ran', () => {
    const base = { status: 'graded', exercises: ['03-batchnorm'], score: { points: 1, maxPoints: 1, exercises: [], warnings: [] } } as unknown as GradeReport;
    const onlyPublic = { ...base, hiddenExercises: [], outcomes: [outcome({ visibility: 'public' })] } as GradeReport;
    expect(summarySentence(onlyPublic)).toMatch(/No hidden tests ran, so this is not a final grade/);
    expect(summarySentence(onlyPublic)).not.toMatch(/all/i);
    const both = { ...base, hiddenExercises: ['03-batchnorm'], outcomes: [outcome({ visibility: 'public' }), outcome({})] } as GradeReport;
    expect(summarySentence(both)).toBe('All 2 tests passed, public and hidden.');
  });

  test('control and bidirectional characters from a submission are shown as escapes, never obeyed', () => {
    const rlo = 'evil\u202Egpj.ts\u0007';
    expect(mdText(rlo)).not.toMatch(/[\u202e\u0007]/);
    expect(mdText(rlo)).toContain('u202e');
    expect(mdFence(`x${rlo}`)).not.toMatch(/[\u202e\u0007]/);
    expect(mdCode(rlo)).not.toMatch(/[\u202e\u0007]/);
  });

  test('what a submission printed cannot break out of its code block or inject HTML', () => {
    const nasty = '```\n</pre><script>alert(1)</script>\n````';
    expect(mdFence(nasty).startsWith('`````')).toBe(true);
    expect(mdCode('a`b')).toBe('``a`b``');
    const report = {
      status: 'graded',
      seed: 's',
      exercises: ['03-batchnorm'],
      hiddenExercises: ['03-batchnorm'],
      notes: ['<img src=x onerror=alert(1)>'],
      outcomes: [outcome({ visibility: 'public', status: 'failed', failure: { category: 'threw', summary: 'f threw', detail: nasty }, output: { stdout: nasty, stderr: '', bytes: nasty.length } })],
      score: scoreOutcomes([outcome({ visibility: 'public', status: 'failed' })], ['03-batchnorm'], rubric),
    } as unknown as GradeReport;
    const html = feedbackHtml(feedbackMarkdown(report));
    expect(html).not.toMatch(/<script>|<img/);
    expect(html).toContain('&lt;script&gt;');
  });
});

describe('atomic writes', () => {
  test('a file is replaced whole and no temp file is left behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-atomic-'));
    try {
      writeFileAtomic(join(dir, 'results.json'), 'old');
      writeFileAtomic(join(dir, 'results.json'), 'new');
      expect(readFileSync(join(dir, 'results.json'), 'utf8')).toBe('new');
      expect(readdirSync(dir)).toEqual(['results.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
