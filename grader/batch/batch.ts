/**
 * Batch grading: `npm run grade -- submissions/ --jobs N [--shard i/n] [--timeout s]`.
 *
 * Every folder, `.zip` and git repository in `submissions/` is one student's submission. Each is
 * taken in (intake.ts: only the exercise files; traversal, links and bombs rejected), then graded by
 * one of N worker processes, each holding one Grader. A submission over its time limit, or one that
 * crashes a worker, costs that submission only: the worker is killed and replaced.
 *
 * Output (`--out`, default grade-output/): one result folder per student, `students/<id>/` (the
 * single grader's files plus `batch.json`; a student's id can never name a file of the batch's
 * own), and `gradebook.json` + `grades.csv`, rewritten atomically after every
 * submission. A rerun regrades only submissions whose key changed — content, kit, seed or options —
 * so an interrupted batch resumes where it stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import MarkdownIt from 'markdown-it';
import { visible } from '../reports/feedback.ts';
import { writeFileAtomic } from '../reports/write.ts';
import { exerciseRubric, loadRubric } from '../rubric.ts';
import type { GradeLimits } from '../grade.ts';
import { STUDENTS, writeGradebook, type Gradebook, type GradebookRow, type RowStatus } from './gradebook.ts';
import { discoverSubmissions, intake, IntakeError, type SubmissionSource } from './intake.ts';
import type { JobSummary, WorkerJob, WorkerReply } from './worker.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface BatchOptions {
  /** The kit's root. */
  root: string;
  /** Folder of submissions. */
  batchDir: string;
  /** Output folder. */
  out: string;
  /** Worker processes grading in parallel. */
  jobs: number;
  shard?: Shard;
  /** Time limit for grading one submission, in ms. */
  timeoutMs: number;
  only?: string[];
  limits?: Partial<GradeLimits>;
  /** How to start a worker process: command and arguments (the batch appends nothing). */
  workerCommand: readonly string[];
  /** Progress bar on stderr (a TTY); otherwise one line per submission through `log`. */
  progress: boolean;
  log: (line: string) => void;
}

export class BatchError extends Error {
  override readonly name = 'BatchError';
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new BatchError(`--shard must be i/n with 1 ≤ i ≤ n, got '${text}'`);
  return { index, count };
}

/**
 * Whether a student belongs to a shard: by a hash of the id, so the split is deterministic, needs
 * no shared state between machines, and a student keeps their shard when others are added.
 */
export function inShard(student: string, shard: Shard | undefined): boolean {
  if (!shard) return true;
  const h = createHash('sha256').update(student).digest().readUInt32BE(0);
  return h % shard.count === shard.index - 1;
}

/** True when a folder is itself one submission (it holds exercise folders or `exercises/`). */
export function isSubmissionFolder(dir: string): boolean {
  try {
    const names = readdirSync(dir);
    return names.includes('exercises') || names.some((n) => /^[0-9]{2}-[a-z0-9-]+$/.test(n) && statSync(join(dir, n)).isDirectory());
  } catch {
    return false;
  }
}

/** sha256 over everything in the kit that decides a grade: suites, fixtures, solutions, lib, grader, rubric, lockfile. */
export function kitHash(root: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string): void => {
    const path = join(root, rel);
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name === 'node_modules' || name === 'tests' || name === 'network' || name.startsWith('.')) continue;
        walk(rel ? `${rel}/${name}` : name);
      }
    } else if (/\.(ts|mjs|json)$/.test(rel)) {
      hash.update(rel).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const rel of ['lib', 'exercises', 'fixtures', 'solutions', 'grader', 'vitest.config.ts', 'package-lock.json']) walk(rel);
  return hash.digest('hex');
}

function jobKey(kit: string, contentHash: string, seed: string, only: readonly string[] | undefined): string {
  return createHash('sha256').update(JSON.stringify({ kit, contentHash, seed, only: only ?? null })).digest('hex');
}

const markdown = new MarkdownIt({ html: false });

/**
 * Results for a submission that was never graded: score 0 and the reason, in every format. The
 * reason is the student's to read: control and bidirectional characters (from names inside the
 * archive) are shown as escapes.
 */
function writeUngraded(dir: string, student: string, status: RowStatus, reason: string, maxPoints: number, exercises: readonly string[]): void {
  rmSync(dir, { recursive: true, force: true });
  const message = visible(reason);
  const what = status === 'rejected' ? 'Your submission was not graded' : status === 'timed out' ? 'Grading your submission took too long' : 'Your submission could not be graded';
  writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify({ score: 0, max_score: maxPoints, output: `${what}: ${message}`, tests: [] }, null, 2)}\n`);
  for (const exercise of exercises) {
    writeFileAtomic(join(dir, 'exercism', exercise, 'results.json'), `${JSON.stringify({ version: 3, status: 'error', message: `${what}: ${message}`, tests: [] }, null, 2)}\n`);
  }
  const md = `# Feedback for ${student}\n\n**${what}.** ${message.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&')}\n\nScore: 0 / ${maxPoints}.\n`;
  writeFileAtomic(join(dir, 'feedback.md'), md);
  writeFileAtomic(join(dir, 'feedback.html'), `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Feedback</title></head><body>\n${markdown.render(md)}</body></html>\n`);
}

type JobResult = WorkerReply | { type: 'killed'; reason: RowStatus; message: string };

interface Worker {
  child: ChildProcess;
  /** The job this worker is grading, with the function that settles it. */
  current: { id: number; finish: (result: JobResult) => void } | null;
  stderr: string;
}

/** The pool of worker processes; each grades one submission at a time. */
class WorkerPool {
  readonly #workers: Worker[] = [];
  readonly #options: BatchOptions;
  #next = 0;
  #closed = false;

  constructor(options: BatchOptions) {
    this.#options = options;
  }

  #spawn(): Worker {
    const [command, ...args] = this.#options.workerCommand;
    const child = spawn(command!, args, {
      cwd: this.#options.root,
      // Its own process group: a timeout kills the worker with every sandbox it started.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const worker: Worker = { child, current: null, stderr: '' };
    child.stderr?.on('data', (chunk: Buffer) => {
      worker.stderr = (worker.stderr + chunk.toString()).slice(-4000);
    });
    child.on('message', (reply: WorkerReply) => {
      if (worker.current?.id === reply.id) worker.current.finish(reply);
    });
    child.on('exit', (code, signal) => {
      this.#forget(worker);
      const tail = worker.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500);
      worker.current?.finish({ type: 'killed', reason: 'error', message: `the grader's worker exited (${signal ?? `code ${code}`}) while grading${tail ? `: ${tail}` : ''}` });
    });
    this.#workers.push(worker);
    return worker;
  }

  #forget(worker: Worker): void {
    const at = this.#workers.indexOf(worker);
    if (at >= 0) this.#workers.splice(at, 1);
  }

  #kill(worker: Worker): void {
    this.#forget(worker);
    try {
      if (worker.child.pid) process.kill(-worker.child.pid, 'SIGKILL');
    } catch {
      worker.child.kill('SIGKILL');
    }
  }

  /** Grades one job on a free worker (starting one when none is free); enforces the time limit. */
  run(job: Omit<WorkerJob, 'type' | 'id' | 'limits'>): Promise<JobResult> {
    const worker = this.#workers.find((w) => w.current === null && w.child.connected) ?? this.#spawn();
    const id = ++this.#next;
    return new Promise<JobResult>((resolve) => {
      const timer = setTimeout(() => {
        worker.current?.finish({ type: 'killed', reason: 'timed out', message: `grading took longer than ${Math.round(this.#options.timeoutMs / 1000)} s` });
        this.#kill(worker);
      }, this.#options.timeoutMs);
      worker.current = {
        id,
        finish: (result) => {
          clearTimeout(timer);
          worker.current = null;
          resolve(result);
        },
      };
      worker.child.send({ type: 'grade', id, ...job, limits: this.#options.limits ?? {} } satisfies WorkerJob, (error) => {
        if (error) worker.current?.finish({ type: 'killed', reason: 'error', message: `could not reach the grader's worker (${error.message})` });
      });
    });
  }

  /** Lets the workers finish cleanly (a disconnected worker closes its grader and exits). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      [...this.#workers].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || !w.child.connected) return resolve();
            const timer = setTimeout(() => {
              this.#kill(w);
              resolve();
            }, 10_000);
            w.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.child.disconnect();
          }),
      ),
    );
  }

  /** Kills every worker now (SIGINT). */
  abort(): void {
    this.#closed = true;
    for (const w of [...this.#workers]) this.#kill(w);
  }
}

/** The rubric's total, for results of submissions that were never graded. */
function rubricMax(root: string, only: readonly string[] | undefined, exercises: readonly string[]): number {
  const rubric = loadRubric(root);
  const sum = (p: Record<string, number> | undefined): number => Object.values(p ?? {}).reduce((s, v) => s + v, 0);
  return exercises.filter((e) => !only || only.includes(e)).reduce((s, e) => s + sum(exerciseRubric(rubric, e)?.points), 0);
}

function kitExercises(root: string): string[] {
  return readdirSync(join(root, 'exercises')).filter((d) => /^[0-9]{2}-[a-z0-9-]+$/.test(d)).sort();
}

/** Grades a folder of submissions. Returns the gradebook (also written to `out`). */
export async function runBatch(options: BatchOptions): Promise<Gradebook> {
  const out = resolve(options.out);
  const batchDir = resolve(options.batchDir);
  const all = discoverSubmissions(batchDir);
  const sources = all.filter((s) => inShard(s.student, options.shard));
  const exercises = kitExercises(options.root).filter((e) => !options.only || options.only.includes(e));
  const kit = kitHash(options.root);
  const maxPoints = rubricMax(options.root, options.only, exercises);
  const book: Gradebook = { version: 1, kit, exercises, shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null, rows: [] };
  mkdirSync(out, { recursive: true });
  const work = join(out, '.work');
  rmSync(work, { recursive: true, force: true });
  const shardNote = options.shard ? ` (shard ${options.shard.index}/${options.shard.count} of ${all.length})` : '';
  options.log(`${sources.length} submission${sources.length === 1 ? '' : 's'} in ${batchDir}${shardNote}, ${options.jobs} job${options.jobs === 1 ? '' : 's'}`);

  const bar = options.progress
    ? new cliProgress.SingleBar(
        { format: 'grading |{bar}| {value}/{total} · {rate}/min · {student}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const started = Date.now();
  bar?.start(sources.length, 0, { rate: '–', student: '' });
  let done = 0;
  const record = (row: GradebookRow, note: string): void => {
    book.rows.push(row);
    writeFileAtomic(join(out, STUDENTS, row.student, 'batch.json'), `${JSON.stringify(row, null, 2)}\n`);
    writeGradebook(out, book);
    done++;
    const minutes = (Date.now() - started) / 60_000;
    if (bar) bar.update(done, { rate: minutes > 0 ? (done / minutes).toFixed(0) : '–', student: row.student });
    else options.log(`[${done}/${sources.length}] ${row.student}: ${row.status === 'graded' ? `${Math.round(row.points * 100) / 100} / ${row.maxPoints}` : `${row.status} — ${row.message}`}${note}`);
  };

  const pool = new WorkerPool(options);
  const stop = (signal: NodeJS.Signals): void => {
    bar?.stop();
    pool.abort();
    rmSync(work, { recursive: true, force: true });
    options.log(`stopped by ${signal}: ${done} of ${sources.length} submissions are in ${join(out, 'grades.csv')}; run the same command again to resume`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const gradeOne = async (source: SubmissionSource): Promise<void> => {
    const t0 = Date.now();
    const studentOut = join(out, STUDENTS, source.student);
    const base = { student: source.student, source: relative(batchDir, source.path) || source.path };
    let taken;
    try {
      taken = await intake(source, join(work, source.student));
    } catch (error) {
      const message = error instanceof IntakeError ? error.message : `could not read the submission (${(error as Error).message})`;
      const key = jobKey(kit, `rejected:${message}`, source.student, options.only);
      writeUngraded(studentOut, source.student, 'rejected', message, maxPoints, exercises);
      record({ ...base, status: 'rejected', message, points: 0, maxPoints, exercises: {}, contentHash: '', key, durationMs: Date.now() - t0 }, '');
      return;
    }
    const key = jobKey(kit, taken.hash, source.student, options.only);
    const previous = join(studentOut, 'batch.json');
    if (existsSync(previous)) {
      try {
        const row = JSON.parse(readFileSync(previous, 'utf8')) as GradebookRow;
        if (row.key === key && row.status !== 'error' && existsSync(join(studentOut, 'results.json'))) {
          rmSync(taken.dir, { recursive: true, force: true });
          record(row, ' (unchanged, kept)');
          return;
        }
      } catch {
        // an unreadable batch.json is regraded
      }
    }
    rmSync(studentOut, { recursive: true, force: true });
    const reply: JobResult = await pool.run({ submission: taken.dir, seed: source.student, out: studentOut, ...(options.only ? { only: options.only } : {}) });
    rmSync(taken.dir, { recursive: true, force: true });
    const durationMs = Date.now() - t0;
    if (reply.type === 'done') {
      const s: JobSummary = reply.summary;
      const status: RowStatus = s.status === 'graded' ? 'graded' : 'error';
      record({ ...base, status, message: s.errors.join('; '), points: s.points, maxPoints: s.maxPoints, exercises: s.exercises, contentHash: taken.hash, key, durationMs }, '');
    } else {
      const status: RowStatus = reply.type === 'killed' ? reply.reason : 'error';
      const message = reply.type === 'killed' ? reply.message : `the grader failed: ${reply.message}`;
      // The gradebook keeps the grader's own words (its stderr, its errors, the paths they name);
      // the student reads what happened, not those.
      const told = status === 'timed out' ? message : 'the grader failed while grading it (not a problem of your code); your instructor has the details';
      writeUngraded(studentOut, source.student, status, told, maxPoints, exercises);
      record({ ...base, status, message, points: 0, maxPoints, exercises: {}, contentHash: taken.hash, key, durationMs }, '');
    }
  };

  try {
    const queue = [...sources];
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(options.jobs, queue.length)) }, async () => {
        for (let s = queue.shift(); s; s = queue.shift()) await gradeOne(s);
      }),
    );
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await pool.close();
    bar?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  writeGradebook(out, book);
  const minutes = (Date.now() - started) / 60_000;
  const counts = (['graded', 'rejected', 'timed out', 'error'] as const).map((s) => [s, book.rows.filter((r) => r.status === s).length] as const).filter(([, n]) => n > 0);
  options.log(
    `${book.rows.length} submissions in ${(minutes * 60).toFixed(1)} s (${minutes > 0 ? (book.rows.length / minutes).toFixed(0) : '–'}/min): ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}. Gradebook: ${join(out, 'grades.csv')}`,
  );
  return book;
}
