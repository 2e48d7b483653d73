/** Kit tests for submission intake: folders, zips and git repositories, and every way to reject one. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { discoverSubmissions, exercisesRoot, hashFolder, intake, IntakeError, INTAKE_LIMITS, studentId, type SubmissionSource } from './intake.ts';
import { makeZip } from './zip-writer.ts';

const work = mkdtempSync(join(tmpdir(), 'gradlab-intake-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(work, `case-${n++}`);

function write(root: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function zipFile(entries: Parameters<typeof makeZip>[0]): string {
  const path = `${fresh()}.zip`;
  writeFileSync(path, makeZip(entries));
  return path;
}

function listing(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listing(dir, `${rel}${d.name}/`) : [`${rel}${d.name}`],
  );
}

async function rejected(source: SubmissionSource): Promise<string> {
  const out = fresh();
  const error = await intake(source, out).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntakeError);
  expect(existsSync(out), 'a rejected submission leaves no half-extracted folder').toBe(false);
  return (error as Error).message;
}

describe('studentId and exercisesRoot', () => {
  test('student ids are file-system safe and drop .zip / .git', () => {
    expect(studentId('Ada Lovelace_1234_submission.zip')).toBe('Ada_Lovelace_1234_submission');
    expect(studentId('../../etc')).toBe('etc');
    expect(studentId('hw2-octocat.git')).toBe('hw2-octocat');
  });

  test('the exercise folders are found at the root, under exercises/, or under one wrapping folder', () => {
    expect(exercisesRoot(['03-batchnorm/batchnorm.ts'])).toBe('');
    expect(exercisesRoot(['exercises/03-batchnorm/batchnorm.ts', 'README.md'])).toBe('exercises');
    expect(exercisesRoot(['hw-main/exercises/01-activations/activations.ts'])).toBe('hw-main/exercises');
    expect(exercisesRoot(['notes.txt'])).toBeNull();
  });
});

describe('folders', () => {
  test('keeps only NN-slug/**/*.ts, from a repository-shaped folder, and hashes the content', async () => {
    const src = write(fresh(), {
      'exercises/03-batchnorm/batchnorm.ts': 'export const a = 1;',
      'exercises/03-batchnorm/helpers/stats.ts': 'export const b = 2;',
      'exercises/03-batchnorm/README.md': '# notes',
      'exercises/03-batchnorm/node_modules/x/index.ts': 'evil',
      'package.json': '{}',
      'grader/hidden/steal.ts': 'evil',
    });
    const result = await intake({ student: 's', path: src, kind: 'folder' }, fresh());
    expect(listing(result.dir).sort()).toEqual(['03-batchnorm/batchnorm.ts', '03-batchnorm/helpers/stats.ts']);
    expect(result.files).toBe(2);
    expect(result.hash).toBe(hashFolder(result.dir).hash);
    const again = await intake({ student: 's', path: src, kind: 'folder' }, fresh());
    expect(again.hash, 'the same content hashes the same').toBe(result.hash);
    writeFileSync(join(src, 'exercises/03-batchnorm/batchnorm.ts'), 'export const a = 2;');
    expect((await intake({ student: 's', path: src, kind: 'folder' }, fresh())).hash).not.toBe(result.hash);
  });

  test('a symbolic link anywhere in the folder rejects the submission', async () => {
    const src = write(fresh(), { '03-batchnorm/batchnorm.ts': 'x' });
    symlinkSync('/etc/passwd', join(src, '03-batchnorm', 'passwd.ts'));
    expect(await rejected({ student: 's', path: src, kind: 'folder' })).toMatch(/'03-batchnorm\/passwd.ts' is a symbolic link/);
  });
});

describe('zips', () => {
  test('extracts a zipped repository (wrapping folder, exercises/) and ignores everything else', async () => {
    const path = zipFile([
      { name: 'hw-main/', content: '' },
      { name: 'hw-main/exercises/01-activations/activations.ts', content: 'export const x = 1;' },
      { name: 'hw-main/exercises/01-activations/activations.test.ts', content: 'test' },
      { name: 'hw-main/.github/workflows/ci.yml', content: 'on: push' },
      { name: 'hw-main/exercises/01-activations/data.bin', content: Buffer.alloc(10), deflate: false },
    ]);
    const result = await intake({ student: 's', path, kind: 'zip' }, fresh());
    expect(listing(result.dir).sort()).toEqual(['01-activations/activations.test.ts', '01-activations/activations.ts']);
    expect(readFileSync(join(result.dir, '01-activations/activations.ts'), 'utf8')).toBe('export const x = 1;');
  });

  test.for([
    ['path traversal', [{ name: '../../evil/03-batchnorm/batchnorm.ts', content: 'x' }], /path traversal|invalid relative path/],
    ['an absolute path', [{ name: '/tmp/03-batchnorm/batchnorm.ts', content: 'x' }], /absolute path/],
    ['a symbolic link', [{ name: '03-batchnorm/link.ts', content: '/etc/passwd', mode: 0o120777 }], /symbolic link/],
    ['an entry that inflates beyond its declared size', [{ name: '03-batchnorm/bomb.ts', content: Buffer.alloc(100_000), declaredSize: 10 }], /'03-batchnorm\/bomb.ts' does not match its declared size .*zip bomb/],
    ['a file larger than the per-file limit', [{ name: '03-batchnorm/big.ts', content: Buffer.alloc(INTAKE_LIMITS.maxFileBytes + 1) }], /larger than/],
    ['an archive declaring gigabytes', [{ name: 'junk.bin', content: 'x', declaredSize: 0xfffffff0 }, { name: 'junk2.bin', content: 'x', declaredSize: 0xfffffff0 }], /zip bomb/],
  ] as const)('rejects %s with a clear message', async ([, entries, message]) => {
    expect(await rejected({ student: 's', path: zipFile(entries), kind: 'zip' })).toMatch(message);
  });

  test('rejects a file that is not a zip', async () => {
    const path = `${fresh()}.zip`;
    writeFileSync(path, 'this is not a zip');
    expect(await rejected({ student: 's', path, kind: 'zip' })).toMatch(/not a readable zip archive/);
  });
});

describe('git repositories', () => {
  const git = (cwd: string, ...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, stdio: 'ignore' });
  };

  test('takes the committed HEAD (not uncommitted edits) and rejects committed symlinks', async () => {
    const repo = write(fresh(), { 'exercises/06-mean-image/mean-image.ts': 'committed', 'README.md': 'x' });
    git(repo, 'init', '-q');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'work');
    writeFileSync(join(repo, 'exercises/06-mean-image/mean-image.ts'), 'uncommitted');
    const result = await intake({ student: 's', path: repo, kind: 'git' }, fresh());
    expect(readFileSync(join(result.dir, '06-mean-image/mean-image.ts'), 'utf8')).toBe('committed');

    symlinkSync('/etc/passwd', join(repo, 'exercises/06-mean-image/p.ts'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'link');
    expect(await rejected({ student: 's', path: repo, kind: 'git' })).toMatch(/symbolic link/);
  });

  test("never reads another repository: a '.git' file pointing elsewhere, object alternates and a linked worktree's commondir are refused", async () => {
    const other = write(fresh(), { 'exercises/06-mean-image/mean-image.ts': "another student's work" });
    git(other, 'init', '-q');
    git(other, 'add', '-A');
    git(other, 'commit', '-qm', 'theirs');
    const pointer = fresh();
    mkdirSync(pointer);
    writeFileSync(join(pointer, '.git'), `gitdir: ${join(other, '.git')}\n`);
    expect(discoverSubmissions(join(pointer, '..')).find((s) => s.path === pointer)?.kind).toBe('git');
    expect(await rejected({ student: 's', path: pointer, kind: 'git' })).toMatch(/'.git' is not a folder inside the submission/);

    const borrower = write(fresh(), { 'README.md': 'x' });
    git(borrower, 'init', '-q');
    mkdirSync(join(borrower, '.git', 'objects', 'info'), { recursive: true });
    writeFileSync(join(borrower, '.git', 'objects', 'info', 'alternates'), `${join(other, '.git', 'objects')}\n`);
    expect(await rejected({ student: 's', path: borrower, kind: 'git' })).toMatch(/borrows from elsewhere \('objects\/info\/alternates'\)/);

    const linked = fresh();
    git(other, 'worktree', 'add', '-q', linked);
    expect(await rejected({ student: 's', path: linked, kind: 'git' })).toMatch(/not a folder inside the submission/);
  });

  test("nothing inside '.git' may be a link (objects linked to another student's graded their work) or a FIFO (git waited on it forever)", async () => {
    const other = write(fresh(), { 'exercises/06-mean-image/mean-image.ts': "another student's work" });
    git(other, 'init', '-q');
    git(other, 'add', '-A');
    git(other, 'commit', '-qm', 'theirs');
    const theirs = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: other, encoding: 'utf8' }).trim();
    const thief = write(fresh(), { 'README.md': 'mine' });
    git(thief, 'init', '-q');
    git(thief, 'add', '-A');
    git(thief, 'commit', '-qm', 'mine');
    rmSync(join(thief, '.git', 'objects'), { recursive: true });
    symlinkSync(join(other, '.git', 'objects'), join(thief, '.git', 'objects'));
    for (const branch of ['master', 'main']) writeFileSync(join(thief, '.git', 'refs', 'heads', branch), `${theirs}\n`);
    expect(await rejected({ student: 's', path: thief, kind: 'git' })).toBe("the repository's '.git/objects' is a symbolic link; submit a self-contained repository");

    const waiting = write(fresh(), { 'README.md': 'mine' });
    git(waiting, 'init', '-q');
    rmSync(join(waiting, '.git', 'HEAD'));
    execFileSync('mkfifo', [join(waiting, '.git', 'HEAD')]);
    expect(await rejected({ student: 's', path: waiting, kind: 'git' })).toBe("the repository's '.git/HEAD' is not a regular file");
  });

  test("git's complaints reach the student without the grading machine's paths", async () => {
    const repo = fresh();
    mkdirSync(repo);
    git(repo, 'init', '-q');
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(repo, '.git', 'refs', 'heads', 'main'), '0123456789012345678901234567890123456789\n');
    const message = await rejected({ student: 's', path: repo, kind: 'git' });
    expect(message).toMatch(/^not a readable git repository with a commit/);
    expect(message).not.toContain(work);
  });

  test('rejects a repository without commits', async () => {
    const repo = fresh();
    mkdirSync(repo);
    git(repo, 'init', '-q');
    expect(await rejected({ student: 's', path: repo, kind: 'git' })).toMatch(/not a readable git repository/);
  });
});

describe('discoverSubmissions', () => {
  test('finds folders, zips and repositories, sorted by student, and refuses two submissions of one student', () => {
    const batch = fresh();
    write(batch, { 'bob/03-batchnorm/batchnorm.ts': 'x', 'notes.txt': 'ignored' });
    writeFileSync(join(batch, 'alice.zip'), makeZip([{ name: '03-batchnorm/batchnorm.ts', content: 'x' }]));
    mkdirSync(join(batch, 'carol.git'));
    execFileSync('git', ['init', '-q', '--bare', join(batch, 'carol.git')]);
    expect(discoverSubmissions(batch).map((s) => `${s.student}:${s.kind}`)).toEqual(['alice:zip', 'bob:folder', 'carol:git']);
    write(batch, { 'alice/03-batchnorm/batchnorm.ts': 'x' });
    expect(() => discoverSubmissions(batch)).toThrow(/alice.*both student 'alice'/);
  });

  test('names that one id stands for are graded apart, and names in other scripts get ids of their own (two of them stopped the whole batch)', () => {
    const batch = fresh();
    for (const name of ['张伟', '李娜', 'Zoë', 'Zoé']) write(batch, { [`${name}/03-batchnorm/batchnorm.ts`]: 'x' });
    const ids = discoverSubmissions(batch).map((s) => s.student);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(ids.filter((id) => /^submission-[0-9a-f]{10}$/.test(id))).toHaveLength(2);
    expect(ids.filter((id) => /^Zo_-[0-9a-f]{10}$/.test(id))).toHaveLength(2);
    expect(discoverSubmissions(batch).map((s) => s.student), 'the same ids on every run').toEqual(ids);
    expect(studentId('张伟.zip')).toBe(ids.find((id) => discoverSubmissions(batch).find((s) => s.student === id)?.path.endsWith('张伟')));
  });

  test('a FIFO named like a zip is no submission (opening it waited forever)', () => {
    const batch = fresh();
    write(batch, { 'ada/03-batchnorm/batchnorm.ts': 'x' });
    execFileSync('mkfifo', [join(batch, 'bob.zip')]);
    expect(discoverSubmissions(batch).map((s) => s.student)).toEqual(['ada']);
  });
});

describe('folders and archives that are mostly something else', () => {
  test('folders count toward the entry limit (a million empty folders were walked whole)', async () => {
    const folder = write(fresh(), { '03-batchnorm/batchnorm.ts': 'x' });
    for (let i = 0; i <= INTAKE_LIMITS.maxEntries; i++) mkdirSync(join(folder, `d${i}`));
    expect(await rejected({ student: 's', path: folder, kind: 'folder' })).toMatch(/more than 5000 files and folders/);
  });

  test("a file and a folder of one name are refused without naming the grading machine's paths", async () => {
    const zip = zipFile([
      { name: '03-batchnorm/batchnorm.ts', content: 'x' },
      { name: '03-batchnorm/a.ts', content: 'x' },
      { name: '03-batchnorm/a.ts/b.ts', content: 'y' },
    ]);
    const message = await rejected({ student: 's', path: zip, kind: 'zip' });
    expect(message).toBe('the submission has a file and a folder of the same name');
  });
});
