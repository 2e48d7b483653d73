/**
 * The gradebook of a batch: one row per student, kept as `gradebook.json` (for tools and for
 * merging shards) and `grades.csv` (for people and spreadsheets). Both are rewritten atomically
 * after every submission, so an interrupted batch always leaves a valid gradebook of what it did.
 */
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../reports/write.ts';

/** The folder of every student's results inside a batch's output: `students/<id>/`. */
export const STUDENTS = 'students';

export type RowStatus = 'graded' | 'rejected' | 'timed out' | 'error';

export interface GradebookRow {
  student: string;
  /** The submission as found in the batch (folder, zip or repository), relative to the batch. */
  source: string;
  status: RowStatus;
  /** Why a submission was rejected, timed out or could not be graded; '' when graded. */
  message: string;
  points: number;
  maxPoints: number;
  /** Points per exercise, in kit order. */
  exercises: Record<string, { points: number; maxPoints: number }>;
  /** sha256 of the submission's exercise files (what the grader read). */
  contentHash: string;
  /** sha256 of kit, content, seed and options: equal keys mean the stored result still holds. */
  key: string;
  durationMs: number;
}

export interface Gradebook {
  version: 1;
  /** sha256 of everything in the kit that decides a grade: shards must agree on it to merge. */
  kit: string;
  /** The exercises, in order: the CSV's columns. */
  exercises: string[];
  /** 'i/n' when this is one shard of a batch. */
  shard: string | null;
  rows: GradebookRow[];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** One CSV field: quoted when it holds a comma, quote or line break; formula prefixes defused. */
export function csvField(value: string | number): string {
  let text = String(value);
  // NOTE: a student id like "=HYPERLINK(...)" must not become a formula in a spreadsheet.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** grades.csv: student, one column per exercise, total, max, percent, status, message. */
export function gradesCsv(book: Gradebook): string {
  const header = ['student', ...book.exercises, 'total', 'max', 'percent', 'status', 'message'];
  const lines = [header.map(csvField).join(',')];
  for (const row of [...book.rows].sort((a, b) => a.student.localeCompare(b.student))) {
    const percent = row.maxPoints > 0 ? round2((100 * row.points) / row.maxPoints) : 0;
    lines.push(
      [
        row.student,
        ...book.exercises.map((e) => round2(row.exercises[e]?.points ?? 0)),
        round2(row.points),
        round2(row.maxPoints),
        percent,
        row.status,
        row.message.split('\n')[0] ?? '',
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes gradebook.json and grades.csv into `dir`, atomically. */
export function writeGradebook(dir: string, book: Gradebook): void {
  const sorted = { ...book, rows: [...book.rows].sort((a, b) => a.student.localeCompare(b.student)) };
  writeFileAtomic(join(dir, 'gradebook.json'), `${JSON.stringify(sorted, null, 2)}\n`);
  writeFileAtomic(join(dir, 'grades.csv'), gradesCsv(sorted));
}

export class MergeError extends Error {
  override readonly name = 'MergeError';
}

/** Reads a gradebook written by a batch run. */
export function readGradebook(dir: string): Gradebook {
  const path = join(dir, 'gradebook.json');
  if (!existsSync(path)) throw new MergeError(`merge: ${dir} has no gradebook.json (is it the --out folder of a batch or shard?)`);
  let book: Gradebook;
  try {
    book = JSON.parse(readFileSync(path, 'utf8')) as Gradebook;
  } catch (error) {
    throw new MergeError(`merge: ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (book.version !== 1 || !Array.isArray(book.rows) || !Array.isArray(book.exercises) || typeof book.kit !== 'string') {
    throw new MergeError(`merge: ${path} is not a gradlab gradebook`);
  }
  return book;
}

/**
 * Merges the gradebooks of several shards (or reruns) into `out`: every student once, their result
 * folders copied along. Shards graded with different kits, or one student graded differently in
 * two shards, are errors — a merged gradebook must equal grading everyone in one batch.
 */
export function mergeGradebooks(dirs: readonly string[], out: string): Gradebook {
  if (dirs.length === 0) throw new MergeError('merge: give the output folders of the shards to merge');
  const books = dirs.map((d) => ({ dir: resolve(d), book: readGradebook(d) }));
  const kit = books[0]!.book.kit;
  const exercises = books[0]!.book.exercises;
  for (const { dir, book } of books) {
    if (book.kit !== kit) throw new MergeError(`merge: ${dir} was graded with another version of the kit (${book.kit.slice(0, 12)} vs ${kit.slice(0, 12)}); regrade it`);
    if (book.exercises.join() !== exercises.join()) throw new MergeError(`merge: ${dir} grades other exercises (${book.exercises.join(', ')})`);
  }
  const rows = new Map<string, { row: GradebookRow; dir: string }>();
  for (const { dir, book } of books) {
    for (const row of book.rows) {
      const seen = rows.get(row.student);
      if (seen && seen.row.key !== row.key) {
        throw new MergeError(`merge: student '${row.student}' appears in ${seen.dir} and ${dir} with different submissions or results`);
      }
      rows.set(row.student, { row, dir });
    }
  }
  const target = resolve(out);
  for (const { row, dir } of rows.values()) {
    const from = join(dir, STUDENTS, row.student);
    const to = join(target, STUDENTS, row.student);
    if (from !== to && existsSync(from)) {
      rmSync(to, { recursive: true, force: true });
      cpSync(from, to, { recursive: true });
    }
  }
  const merged: Gradebook = { version: 1, kit, exercises, shard: null, rows: [...rows.values()].map((r) => r.row) };
  writeGradebook(target, merged);
  return merged;
}
