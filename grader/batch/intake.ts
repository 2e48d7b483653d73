/**
 * Submission intake for batch grading: turns whatever an LMS or GitHub Classroom hands over — a
 * folder, a `.zip`, or a git repository — into a clean folder laid out like `exercises/`, holding
 * only the files the grader reads (`NN-slug/**.ts`). Everything else is ignored.
 *
 * Rejected, with one clear message per submission: path traversal (`../`, absolute paths), symbolic
 * links, zip bombs (too many entries, too many bytes, or an entry that inflates beyond what it
 * declared), and archives that cannot be read.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import yauzl from 'yauzl';

/** Limits that make a submission a zip bomb, or simply too large to be a solution. */
export const INTAKE_LIMITS = {
  /** Entries in one archive. */
  maxEntries: 5_000,
  /** Bytes of one kept file once extracted. */
  maxFileBytes: 2 * 1024 * 1024,
  /** Bytes of all kept files of one submission. */
  maxTotalBytes: 20 * 1024 * 1024,
  /** Declared uncompressed size of a whole archive, kept files or not. */
  maxArchiveBytes: 200 * 1024 * 1024,
};

const EXERCISE = /^[0-9]{2}-[a-z0-9-]+$/;

export class IntakeError extends Error {
  override readonly name = 'IntakeError';
}

export interface SubmissionSource {
  /** Student id: the entry's name without `.zip` / `.git`, restricted to [A-Za-z0-9._-]. */
  student: string;
  /** Where it came from. */
  path: string;
  kind: 'folder' | 'zip' | 'git';
}

/**
 * A submission folder from its name: `Ada Lovelace_1234.zip` → `Ada_Lovelace_1234`. A name with
 * nothing left once made safe (`张伟.zip`) gets an id from a hash of the name, the same on every
 * run: `submission-1f0c…` (not one `submission` for a whole class of names in other scripts).
 */
export function studentId(name: string): string {
  const bare = bareName(name);
  const id = bare.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 100);
  return id.replace(/_/g, '') ? id : `submission-${nameHash(bare)}`;
}

function bareName(name: string): string {
  return name.replace(/\.(zip|git)$/i, '');
}

function nameHash(bare: string): string {
  return createHash('sha256').update(bare.normalize('NFC')).digest('hex').slice(0, 10);
}

function isRealDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isRealFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The git directory of a repository folder: its `.git`, a real folder inside it (never a `.git`
 * file pointing elsewhere, nor a link), or the folder itself when it is a bare repository. Null
 * when it is no repository, or one that borrows from outside itself.
 */
function gitDirOf(path: string): string | null {
  if (isRealDirectory(join(path, '.git'))) return join(path, '.git');
  if (isRealFile(join(path, 'HEAD')) && isRealDirectory(join(path, 'objects')) && isRealDirectory(join(path, 'refs'))) return path;
  return null;
}

function isGitRepository(path: string): boolean {
  return existsSync(join(path, '.git')) || gitDirOf(path) !== null;
}

/**
 * Refuses a git directory that reaches outside the submission: `commondir` (a linked worktree's
 * pointer), object alternates (another repository's objects), a grafted or replaced history.
 */
function checkGitDir(source: string): string {
  const gitDir = gitDirOf(source);
  if (gitDir === null) {
    throw new IntakeError(existsSync(join(source, '.git')) ? "'.git' is not a folder inside the submission (a 'gitdir:' pointer or a link to another repository)" : 'not a git repository');
  }
  for (const borrowed of ['commondir', 'objects/info/alternates', 'objects/info/http-alternates', 'info/grafts', 'shallow']) {
    if (existsSync(join(gitDir, borrowed))) throw new IntakeError(`the repository borrows from elsewhere ('${borrowed}'); submit a self-contained repository`);
  }
  // Git follows links inside its own directory: `objects` linked to another student's objects and
  // a ref set to their commit graded their work under this name. And a FIFO named `HEAD` would
  // keep git waiting forever.
  let entries = 0;
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const inside = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(path);
      if (++entries > 200_000) throw new IntakeError('the repository has more than 200000 files in its .git folder');
      if (stat.isDirectory()) walk(path, inside);
      else if (stat.isSymbolicLink()) throw new IntakeError(`the repository's '.git/${inside}' is a symbolic link; submit a self-contained repository`);
      else if (!stat.isFile()) throw new IntakeError(`the repository's '.git/${inside}' is not a regular file`);
    }
  };
  walk(gitDir, '');
  return gitDir;
}

/**
 * The submissions in a batch folder: every sub-folder, `.zip` and git repository, sorted by student
 * id. Duplicate ids (e.g. `ada/` and `ada.zip`) are an error, so no result can overwrite another.
 */
export function discoverSubmissions(batchDir: string): SubmissionSource[] {
  const sources: SubmissionSource[] = [];
  for (const name of readdirSync(batchDir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(batchDir, name);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) {
      sources.push({ student: studentId(name), path, kind: 'folder' });
    } else if (stat.isDirectory()) {
      sources.push({ student: studentId(name), path, kind: isGitRepository(path) && !existsSync(join(path, 'exercises')) && !hasExerciseDirs(path) ? 'git' : 'folder' });
    } else if (/\.zip$/i.test(name) && stat.isFile()) {
      // Only a regular file: opening a FIFO named `x.zip` would wait forever for a writer.
      sources.push({ student: studentId(name), path, kind: 'zip' });
    }
  }
  // Different names that one id stands for (`Zoë.zip`, `Zoé.zip` → `Zo_`) each get the id with a
  // hash of their own name: the batch grades them all, apart. The same name twice (`alice/` and
  // `alice.zip`) is one student with two submissions, which only the instructor can settle.
  const groups = new Map<string, SubmissionSource[]>();
  for (const s of sources) groups.set(s.student, [...(groups.get(s.student) ?? []), s]);
  for (const [id, group] of groups) {
    if (group.length < 2) continue;
    const bare = group.map((s) => bareName(basename(s.path)));
    const same = bare.findIndex((b, i) => bare.indexOf(b) !== i);
    if (same >= 0) {
      const first = group[bare.indexOf(bare[same]!)]!;
      throw new IntakeError(`intake: ${basename(first.path)} and ${basename(group[same]!.path)} are both student '${id}'; rename one`);
    }
    group.forEach((s, i) => (s.student = `${id.slice(0, 89)}-${nameHash(bare[i]!)}`));
  }
  return sources.sort((a, b) => a.student.localeCompare(b.student));
}

function hasExerciseDirs(path: string): boolean {
  try {
    return readdirSync(path).some((n) => EXERCISE.test(n));
  } catch {
    return false;
  }
}

/**
 * Where the exercise folders start inside a submission's file list: at the root, under
 * `exercises/`, or under one wrapping folder (a zipped repository: `repo-main/exercises/…`).
 * Returns the prefix to strip, or null when no exercise folder is found.
 */
export function exercisesRoot(paths: readonly string[]): string | null {
  const candidates = new Map<string, number>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 0; i < Math.min(parts.length - 1, 3); i++) {
      if (EXERCISE.test(parts[i]!)) {
        const prefix = parts.slice(0, i).join('/');
        candidates.set(prefix, (candidates.get(prefix) ?? 0) + 1);
        break;
      }
    }
  }
  if (candidates.size === 0) return null;
  // Prefer the shallowest prefix; among equals, the one holding most files.
  return [...candidates.entries()].sort((a, b) => a[0].split('/').length - b[0].split('/').length || b[1] - a[1])[0]![0];
}

/** True for a file the grader reads: `NN-slug/…/*.ts` (tests included; the grader ignores them). */
function kept(relative: string): boolean {
  const parts = relative.split('/');
  return parts.length >= 2 && EXERCISE.test(parts[0]!) && relative.endsWith('.ts') && !parts.some((p) => p === 'node_modules' || p.startsWith('.'));
}

/** Checks one archive or folder path: no absolute paths, no `..`, no backslashes, no NUL. */
export function unsafePath(name: string): string | null {
  if (name.includes('\0')) return 'a file name contains a NUL byte';
  if (name.includes('\\')) return `'${name}' uses backslashes`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `'${name}' is an absolute path`;
  if (name.split('/').includes('..')) return `'${name}' climbs out of the submission (path traversal)`;
  return null;
}

interface Budget {
  files: number;
  bytes: number;
}

function spend(budget: Budget, bytes: number, name: string): void {
  if (bytes > INTAKE_LIMITS.maxFileBytes) throw new IntakeError(`'${name}' is larger than ${INTAKE_LIMITS.maxFileBytes / 1024 / 1024} MB`);
  budget.bytes += bytes;
  if (budget.bytes > INTAKE_LIMITS.maxTotalBytes) throw new IntakeError(`the exercise files add up to more than ${INTAKE_LIMITS.maxTotalBytes / 1024 / 1024} MB`);
}

function writeKept(outDir: string, relative: string, content: Buffer): void {
  const target = join(outDir, ...relative.split('/'));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
}

/** Copies the exercise files of a folder, rejecting symbolic links anywhere inside it. */
function intakeFolder(source: string, outDir: string): void {
  if (lstatSync(source).isSymbolicLink()) throw new IntakeError('the submission itself is a symbolic link');
  const all: string[] = [];
  let entries = 0;
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === '.git' || name === 'node_modules') continue;
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(path);
      // Every entry counts, folders too: a million empty folders are no smaller a submission.
      if (++entries > INTAKE_LIMITS.maxEntries) throw new IntakeError(`more than ${INTAKE_LIMITS.maxEntries} files and folders`);
      if (stat.isSymbolicLink()) throw new IntakeError(`'${relPath}' is a symbolic link; submissions may not contain links`);
      if (stat.isDirectory()) walk(path, relPath);
      else if (stat.isFile()) all.push(relPath);
    }
  };
  walk(source, '');
  const prefix = exercisesRoot(all);
  if (prefix === null) return;
  const budget: Budget = { files: 0, bytes: 0 };
  for (const rel of all) {
    const inner = prefix ? (rel.startsWith(`${prefix}/`) ? rel.slice(prefix.length + 1) : null) : rel;
    if (inner === null || !kept(inner)) continue;
    const content = readFileSync(join(source, ...rel.split('/')));
    spend(budget, content.length, rel);
    writeKept(outDir, inner, content);
  }
}

/** Unix mode bits of a zip entry made on a Unix system (0 otherwise). */
function unixMode(entry: yauzl.Entry): number {
  return (entry.externalFileAttributes >>> 16) & 0xffff;
}

/** Extracts the exercise files of a zip, streaming, with the bomb and traversal checks. */
async function intakeZip(source: string, outDir: string): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(source, { autoClose: false, lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true });
  } catch (error) {
    throw new IntakeError(`not a readable zip archive (${(error as Error).message})`);
  }
  try {
    if (zip.entryCount > INTAKE_LIMITS.maxEntries) throw new IntakeError(`the archive has ${zip.entryCount} entries (limit ${INTAKE_LIMITS.maxEntries}): refusing a possible zip bomb`);
    const entries: yauzl.Entry[] = [];
    let declared = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const problem = unsafePath(entry.fileName);
        if (problem) return reject(new IntakeError(problem));
        if ((unixMode(entry) & 0o170000) === 0o120000) return reject(new IntakeError(`'${entry.fileName}' is a symbolic link; submissions may not contain links`));
        declared += entry.uncompressedSize;
        if (declared > INTAKE_LIMITS.maxArchiveBytes) return reject(new IntakeError(`the archive inflates to more than ${INTAKE_LIMITS.maxArchiveBytes / 1024 / 1024} MB: refusing a possible zip bomb`));
        if (!entry.fileName.endsWith('/')) entries.push(entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (error: Error) => {
        // yauzl validates names itself (decodeStrings) and reports traversal as an error.
        const bad = /^(invalid relative path|absolute path): (.*)$/.exec(error.message);
        reject(new IntakeError(bad ? (unsafePath(bad[2]!) ?? `'${bad[2]}' is not a safe path`) : `the archive is damaged (${error.message})`));
      });
      zip.readEntry();
    });
    const prefix = exercisesRoot(entries.map((e) => e.fileName));
    if (prefix === null) return;
    const budget: Budget = { files: 0, bytes: 0 };
    for (const entry of entries) {
      const inner = prefix ? (entry.fileName.startsWith(`${prefix}/`) ? entry.fileName.slice(prefix.length + 1) : null) : entry.fileName;
      if (inner === null || !kept(inner)) continue;
      if (entry.uncompressedSize > INTAKE_LIMITS.maxFileBytes) throw new IntakeError(`'${entry.fileName}' is larger than ${INTAKE_LIMITS.maxFileBytes / 1024 / 1024} MB`);
      const content = await readEntry(zip, entry);
      spend(budget, content.length, entry.fileName);
      writeKept(outDir, posix.normalize(inner), content);
    }
  } finally {
    zip.close();
  }
}

/** Reads one entry, never more bytes than the per-file limit, whatever the entry declared. */
async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > INTAKE_LIMITS.maxFileBytes) {
        stream.destroy();
        throw new IntakeError(`'${entry.fileName}' inflates beyond ${INTAKE_LIMITS.maxFileBytes / 1024 / 1024} MB: refusing a possible zip bomb`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof IntakeError) throw error;
    // yauzl checks every entry against the size it declared (validateEntrySizes).
    throw new IntakeError(`'${entry.fileName}' does not match its declared size (${(error as Error).message}): refusing a possible zip bomb`);
  }
  return Buffer.concat(chunks);
}

/**
 * Git, on exactly this git directory (no discovery upward, no pointers followed), with no user or
 * system configuration, no replace refs and no hooks or monitors a repository's config could name.
 */
function gitCommand(gitDir: string): { run: (...args: string[]) => string; blob: (sha: string, max: number) => Buffer } {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_NO_REPLACE_OBJECTS: '1', GIT_TERMINAL_PROMPT: '0', HOME: '/nonexistent' };
  const base = ['--git-dir', gitDir, '-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', `safe.directory=${gitDir}`];
  return {
    run: (...args) => execFileSync('git', [...base, ...args], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }),
    blob: (sha, max) => execFileSync('git', [...base, 'cat-file', 'blob', sha], { env, maxBuffer: max + 1, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }),
  };
}

/** Exports the committed tree of a git repository (its HEAD), rejecting symbolic links. */
function intakeGit(source: string, outDir: string): void {
  const gitDir = checkGitDir(source);
  const { run: git, blob } = gitCommand(gitDir);
  let listing: string;
  try {
    listing = git('ls-tree', '-r', '-z', '--full-tree', 'HEAD');
  } catch (error) {
    // Git's words, without the paths of the grading machine they may name.
    const said = ((error as { stderr?: string }).stderr || 'git failed').trim().split('\n')[0]!.split(gitDir).join('.git').split(source).join('.');
    throw new IntakeError(`not a readable git repository with a commit (${said.slice(0, 200)})`);
  }
  const files: { mode: string; sha: string; path: string }[] = [];
  for (const record of listing.split('\0').filter(Boolean)) {
    const [meta, path] = record.split('\t') as [string, string];
    const [mode, , sha] = meta.split(' ') as [string, string, string];
    if (mode === '120000') throw new IntakeError(`'${path}' is a symbolic link; submissions may not contain links`);
    if (mode === '160000') continue; // submodules are not part of a submission
    const problem = unsafePath(path);
    if (problem) throw new IntakeError(problem);
    files.push({ mode, sha, path });
  }
  if (files.length > INTAKE_LIMITS.maxEntries) throw new IntakeError(`more than ${INTAKE_LIMITS.maxEntries} files`);
  const prefix = exercisesRoot(files.map((f) => f.path));
  if (prefix === null) return;
  const budget: Budget = { files: 0, bytes: 0 };
  for (const f of files) {
    const inner = prefix ? (f.path.startsWith(`${prefix}/`) ? f.path.slice(prefix.length + 1) : null) : f.path;
    if (inner === null || !kept(inner)) continue;
    const size = Number(git('cat-file', '-s', f.sha).trim());
    if (size > INTAKE_LIMITS.maxFileBytes) throw new IntakeError(`'${f.path}' is larger than ${INTAKE_LIMITS.maxFileBytes / 1024 / 1024} MB`);
    const content = blob(f.sha, INTAKE_LIMITS.maxFileBytes);
    spend(budget, content.length, f.path);
    writeKept(outDir, inner, content);
  }
}

export interface IntakeResult {
  /** The clean folder, laid out like `exercises/` (possibly empty). */
  dir: string;
  /** Number of exercise files kept. */
  files: number;
  /** sha256 over every kept file's path and bytes: the submission's content identity. */
  hash: string;
}

/** sha256 over the sorted relative paths and bytes of a folder's files. */
export function hashFolder(dir: string): { files: number; hash: string } {
  const hash = createHash('sha256');
  const paths: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (lstatSync(path).isDirectory()) walk(path, r);
      else paths.push(r);
    }
  };
  if (existsSync(dir)) walk(dir, '');
  for (const p of paths) {
    const content = readFileSync(join(dir, ...p.split('/')));
    hash.update(`${p}\0${content.length}\0`).update(content);
  }
  return { files: paths.length, hash: hash.digest('hex') };
}

/** Takes one submission in: extracts its exercise files into `outDir` (emptied first). */
export async function intake(source: SubmissionSource, outDir: string): Promise<IntakeResult> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  try {
    if (source.kind === 'zip') await intakeZip(source.path, outDir);
    else if (source.kind === 'git') intakeGit(source.path, outDir);
    else intakeFolder(source.path, outDir);
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    if (error instanceof IntakeError) throw error;
    // The error's own message names paths of the grading machine: the student reads this one.
    const code = (error as NodeJS.ErrnoException).code;
    throw new IntakeError(code === 'EEXIST' || code === 'ENOTDIR' ? 'the submission has a file and a folder of the same name' : `could not read the submission${code ? ` (${code})` : ''}`);
  }
  return { dir: outDir, ...hashFolder(outDir) };
}
