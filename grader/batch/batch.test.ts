/**
 * Batch grading, end to end through the real command (`node grader/start.mjs`, as `npm run grade` runs it): a mixed batch is
 * graded, resumed, split into shards and merged, and the merged gradebook must equal the whole
 * batch and grading one submission alone. Only exercise 03 is graded, to keep this quick.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KIT_ROOT } from '../grade.ts';
import { csvField, gradesCsv, mergeGradebooks, MergeError, type Gradebook } from './gradebook.ts';
import { inShard, parseShard } from './batch.ts';
import { makeZip } from './zip-writer.ts';

const ONLY = '03-batchnorm';
const work = mkdtempSync(join(tmpdir(), 'gradlab-batch-test-'));
const batch = join(work, 'submissions');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function grade(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(KIT_ROOT, 'grader', 'start.mjs'), ...args], { cwd: KIT_ROOT, encoding: 'utf8', env: { ...process.env, INIT_CWD: KIT_ROOT } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function book(dir: string): Gradebook {
  return JSON.parse(readFileSync(join(dir, 'gradebook.json'), 'utf8')) as Gradebook;
}

const solution = readFileSync(join(KIT_ROOT, 'solutions', ONLY, 'batchnorm.ts'), 'utf8');

beforeAll(() => {
  mkdirSync(batch, { recursive: true });
  cpSync(join(KIT_ROOT, 'solutions', ONLY), join(batch, 'ada', ONLY), { recursive: true });
  cpSync(join(KIT_ROOT, 'exercises', ONLY), join(batch, 'bo', 'exercises', ONLY), { recursive: true });
  mkdirSync(join(batch, 'cy', ONLY), { recursive: true });
  writeFileSync(join(batch, 'cy', ONLY, 'batchnorm.ts'), solution.replace('variance[d]! += (c * c) / N;', 'variance[d]! += (c * c) / Math.max(1, N - 1);'));
  writeFileSync(join(batch, 'dee.zip'), makeZip([{ name: `repo/exercises/${ONLY}/batchnorm.ts`, content: solution }]));
  writeFileSync(join(batch, 'eve.zip'), makeZip([{ name: `../../${ONLY}/batchnorm.ts`, content: solution }]));
}, 30_000);

describe('a batch', () => {
  const out = join(work, 'all');
  let first: ReturnType<typeof grade>;
  beforeAll(() => {
    first = grade(batch, '--only', ONLY, '--jobs', '2', '--out', out);
  }, 120_000);

  test('grades every folder, zip and repository, rejects the hostile zip, and writes grades.csv', () => {
    expect(first.status, first.stderr).toBe(0);
    const rows = Object.fromEntries(book(out).rows.map((r) => [r.student, r]));
    expect(Object.keys(rows).sort()).toEqual(['ada', 'bo', 'cy', 'dee', 'eve']);
    expect(rows['ada']).toMatchObject({ status: 'graded', points: 20, maxPoints: 20 });
    expect(rows['dee'], 'a zipped repository is graded like a folder').toMatchObject({ status: 'graded', points: 20 });
    expect(rows['bo']).toMatchObject({ status: 'graded', points: 0 });
    expect(rows['cy']!.status).toBe('graded');
    expect(rows['cy']!.points).toBeGreaterThan(0);
    expect(rows['cy']!.points, 'the N − 1 variance loses points in 03').toBeLessThan(20);
    expect(rows['eve']).toMatchObject({ status: 'rejected', points: 0 });
    expect(rows['eve']!.message).toMatch(/path traversal/);
    const csv = readFileSync(join(out, 'grades.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(`student,${ONLY},total,max,percent,status,message`);
    expect(csv).toContain('ada,20,20,20,100,graded,');
    for (const s of ['ada', 'bo', 'cy', 'dee', 'eve']) {
      for (const f of ['results.json', `exercism/${ONLY}/results.json`, 'feedback.md', 'feedback.html', 'batch.json']) expect(existsSync(join(out, 'students', s, f)), `${s}/${f}`).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(out, 'students', 'eve', 'results.json'), 'utf8'))).toMatchObject({ score: 0, max_score: 20 });
    expect(existsSync(join(out, '.work')), 'no scratch files left').toBe(false);
  });

  test("a student's output folder cannot collide with the batch's own files", () => {
    const tricky = join(work, 'tricky');
    cpSync(join(batch, 'ada'), join(tricky, 'grades.csv'), { recursive: true });
    cpSync(join(batch, 'ada'), join(tricky, 'gradebook.json'), { recursive: true });
    const dir = join(work, 'tricky-out');
    const r = grade(tricky, '--only', ONLY, '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    expect(book(dir).rows.map((row) => [row.student, row.status])).toEqual([
      ['gradebook.json', 'graded'],
      ['grades.csv', 'graded'],
    ]);
    expect(readFileSync(join(dir, 'grades.csv'), 'utf8')).toMatch(/^student,/);
    expect(existsSync(join(dir, 'students', 'grades.csv', 'results.json'))).toBe(true);
  }, 120_000);

  test("a rejection reads as what it is: a name's bidirectional controls shown as escapes, no path of the grading machine", () => {
    const odd = join(work, 'odd');
    mkdirSync(odd, { recursive: true });
    writeFileSync(join(odd, 'bidi.zip'), makeZip([{ name: `${ONLY}/evil\u202egnp.ts`, content: '/etc/passwd', mode: 0o120777 }]));
    writeFileSync(join(odd, 'clash.zip'), makeZip([{ name: `${ONLY}/a.ts`, content: 'x' }, { name: `${ONLY}/a.ts/b.ts`, content: 'y' }]));
    const dir = join(work, 'odd-out');
    const r = grade(odd, '--only', ONLY, '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    for (const student of ['bidi', 'clash']) {
      for (const file of ['results.json', `exercism/${ONLY}/results.json`, 'feedback.md', 'feedback.html']) {
        const text = readFileSync(join(dir, 'students', student, file), 'utf8');
        expect(text, `${student}/${file}`).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
        expect(text, `${student}/${file}`).not.toContain(dir);
      }
    }
    expect(readFileSync(join(dir, 'students', 'bidi', 'results.json'), 'utf8')).toContain('evil\\\\u202egnp.ts');
    expect(JSON.parse(readFileSync(join(dir, 'students', 'clash', 'results.json'), 'utf8')).output).toBe('Your submission was not graded: the submission has a file and a folder of the same name');
  }, 120_000);

  test('a rerun regrades only what changed', () => {
    writeFileSync(join(batch, 'bo', 'exercises', ONLY, 'notes.ts'), 'export const note = 1;\n');
    const again = grade(batch, '--only', ONLY, '--out', out);
    expect(again.status, again.stderr).toBe(0);
    const kept = again.stderr.split('\n').filter((l) => l.includes('(unchanged, kept)')).map((l) => /\] (\w+):/.exec(l)?.[1]);
    expect(kept.sort()).toEqual(['ada', 'cy', 'dee']);
    expect(book(out).rows.map((r) => r.student).sort()).toEqual(['ada', 'bo', 'cy', 'dee', 'eve']);
  }, 120_000);

  test('two shards, merged, give the same gradebook as the whole batch — and as grading alone', () => {
    const shards = [1, 2].map((i) => {
      const dir = join(work, `shard-${i}`);
      const r = grade(batch, '--only', ONLY, '--shard', `${i}/2`, '--out', dir);
      expect(r.status, r.stderr).toBe(0);
      return dir;
    });
    const sizes = shards.map((d) => book(d).rows.length);
    expect(sizes[0]! + sizes[1]!).toBe(5);
    const merged = join(work, 'merged');
    const m = grade('merge', ...shards, '--out', merged);
    expect(m.status, m.stderr).toBe(0);
    const strip = (b: Gradebook): unknown => b.rows.map(({ durationMs: _d, ...r }) => r).sort((a, b) => a.student.localeCompare(b.student));
    expect(strip(book(merged))).toEqual(strip(book(out)));
    expect(readFileSync(join(merged, 'grades.csv'), 'utf8')).toBe(readFileSync(join(out, 'grades.csv'), 'utf8'));
    expect(existsSync(join(merged, 'students', 'cy', 'feedback.md'))).toBe(true);

    const alone = grade(join(batch, 'cy'), '--seed', 'cy', '--only', ONLY, '--out', join(work, 'alone'), '--json');
    expect(alone.status, alone.stderr).toBe(0);
    const cy = book(out).rows.find((r) => r.student === 'cy')!;
    // --json rounds to 2 decimals.
    expect((JSON.parse(alone.stdout) as { points: number }).points).toBe(Math.round(cy.points * 100) / 100);
  }, 180_000);
});

test('a submission over the time limit is recorded as timed out and the batch goes on', () => {
  const small = join(work, 'small');
  cpSync(join(batch, 'ada'), join(small, 'ada'), { recursive: true });
  const out = join(work, 'timeout');
  const r = grade(small, '--only', ONLY, '--timeout', '0.01', '--out', out);
  expect(r.status, r.stderr).toBe(0);
  expect(book(out).rows[0]).toMatchObject({ student: 'ada', status: 'timed out', points: 0 });
  expect(readFileSync(join(out, 'students', 'ada', 'feedback.md'), 'utf8')).toMatch(/took too long/);
}, 60_000);

describe('units', () => {
  test('shards are deterministic, cover everyone once, and reject nonsense', () => {
    const students = Array.from({ length: 200 }, (_, i) => `student-${i}`);
    const counts = [1, 2, 3].map((i) => students.filter((s) => inShard(s, { index: i, count: 3 })).length);
    expect(counts.reduce((a, b) => a + b)).toBe(200);
    for (const c of counts) expect(c).toBeGreaterThan(40);
    expect(inShard('ada', parseShard('2/3'))).toBe(inShard('ada', { index: 2, count: 3 }));
    for (const bad of ['0/2', '3/2', 'a/b', '1']) expect(() => parseShard(bad)).toThrow(/--shard must be i\/n/);
  });

  test('CSV fields are quoted and spreadsheet formulas defused', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-3)).toBe('-3');
    const csv = gradesCsv({ version: 1, kit: 'k', exercises: ['01-a'], shard: null, rows: [] });
    expect(csv).toBe('student,01-a,total,max,percent,status,message\n');
  });

  test('merging refuses gradebooks of different kits or conflicting students', () => {
    const dir = (name: string, b: Partial<Gradebook>): string => {
      const d = join(work, name);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'gradebook.json'), JSON.stringify({ version: 1, kit: 'k1', exercises: ['x'], shard: null, rows: [], ...b }));
      return d;
    };
    const row = { student: 'a', source: 'a', status: 'graded', message: '', points: 1, maxPoints: 1, exercises: {}, contentHash: 'h', key: 'k', durationMs: 1 } as const;
    expect(() => mergeGradebooks([dir('m1', {}), dir('m2', { kit: 'k2' })], join(work, 'mo'))).toThrow(MergeError);
    expect(() => mergeGradebooks([dir('m3', { rows: [row] }), dir('m4', { rows: [{ ...row, key: 'other' }] })], join(work, 'mo'))).toThrow(/student 'a' appears in/);
    expect(() => mergeGradebooks([join(work, 'nowhere')], join(work, 'mo'))).toThrow(/has no gradebook.json/);
  });
});
