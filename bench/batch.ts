/**
 * `npm run bench:batch [-- --runs 3] [-- --count 100] [-- --jobs 2] [-- --by-kind]`: batch-grading throughput.
 *
 * Generates `count` submissions from the reference solutions — complete, partial (some exercises
 * still stubs), broken (a typical mistake from grader/exercises/NN-slug/mistakes.ts), and hostile (the grader's own
 * hostile corpus: endless loops, memory hogs, process.exit, patched globals, forbidden reads, syntax
 * errors) — a fifth of them zipped, then grades the folder with `npm run grade -- <dir> --jobs N`
 * into a fresh output folder each run and prints submissions per minute, median of `runs`;
 * `--by-kind` adds each run's grading seconds per kind of submission (and per hostile case).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeZip, type ZipEntryInput } from '../grader/batch/zip-writer.ts';
import { buildSubmission, corpus } from '../grader/tests/corpus.ts';
import { applyMistakeTo, loadMistakes } from '../tools/mistakes.ts';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const exercises = readdirSync(join(ROOT, 'solutions')).filter((d) => /^[0-9]{2}-/.test(d)).sort();

function copySolutions(dir: string, upTo = exercises.length): void {
  exercises.forEach((ex, i) => {
    const from = i < upTo ? join(ROOT, 'solutions', ex) : join(ROOT, 'exercises', ex);
    cpSync(from, join(dir, ex), { recursive: true, filter: (p) => !p.endsWith('.test.ts') && !p.endsWith('.md') });
  });
}

function zipFolder(dir: string): void {
  const entries: ZipEntryInput[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else entries.push({ name: `submission/${relative(dir, p)}`, content: readFileSync(p) });
    }
  };
  walk(dir);
  writeFileSync(`${dir}.zip`, makeZip(entries));
  rmSync(dir, { recursive: true, force: true });
}

/** Each generated student's kind (complete, partial, mistake, hostile: the hostile case's name). */
const kindOf = new Map<string, string>();

/** Writes `count` mixed submissions into `dir`; returns how many of each kind. */
async function generate(dir: string, count: number): Promise<Record<string, number>> {
  const mistakes = await loadMistakes();
  const hostile = await corpus();
  const kinds: Record<string, number> = { complete: 0, partial: 0, mistake: 0, hostile: 0, zipped: 0 };
  for (let i = 0; i < count; i++) {
    const name = `student-${String(i).padStart(3, '0')}`;
    const target = join(dir, name);
    const slot = i % 20; // per 20: 8 complete, 5 partial, 4 with a mistake, 3 hostile
    if (slot < 8) {
      copySolutions(target);
      kinds['complete']!++;
      kindOf.set(name, 'complete');
    } else if (slot < 13) {
      copySolutions(target, 1 + (i % (exercises.length - 1)));
      kinds['partial']!++;
      kindOf.set(name, 'partial');
    } else if (slot < 17) {
      const m = mistakes[i % mistakes.length]!;
      copySolutions(target);
      const file = join(target, m.exercise, m.file);
      writeFileSync(file, applyMistakeTo(readFileSync(file, 'utf8'), m));
      kinds['mistake']!++;
      kindOf.set(name, 'mistake');
    } else {
      const h = hostile[i % hostile.length]!;
      buildSubmission(h, target);
      kinds['hostile']!++;
      kindOf.set(name, `hostile: ${h.name}`);
    }
    if (i % 5 === 4) {
      zipFolder(target);
      kinds['zipped']!++;
    }
  }
  return kinds;
}

/** `--by-kind`: where a run's grading time went, per kind of submission (a job's seconds, not wall). */
function printByKind(rows: readonly { student: string; durationMs: number }[]): void {
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    const kind = kindOf.get(row.student) ?? 'unknown';
    const group = kind.startsWith('hostile') ? 'hostile' : kind;
    for (const key of new Set([group, kind])) groups.set(key, [...(groups.get(key) ?? []), row.durationMs / 1000]);
  }
  for (const [kind, secs] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    const total = secs.reduce((a, b) => a + b, 0);
    console.log(`    ${kind.padEnd(40)} ${String(secs.length).padStart(3)} × median ${median(secs).toFixed(2)} s = ${total.toFixed(1)} s`);
  }
}

const runs = arg('runs', 3);
const count = arg('count', 100);
const jobs = arg('jobs', 2);
const work = mkdtempSync(join(tmpdir(), 'gradlab-bench-batch-'));
try {
  const batch = join(work, 'submissions');
  mkdirSync(batch);
  const kinds = await generate(batch, count);
  console.log(`${count} submissions (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}), --jobs ${jobs}, median of ${runs} runs`);
  const rates: number[] = [];
  for (let r = 1; r <= runs; r++) {
    const out = join(work, `out-${r}`);
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [join(ROOT, 'grader', 'start.mjs'), batch, '--jobs', String(jobs), '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, INIT_CWD: ROOT } });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (run.status !== 0) throw new Error(`grading failed (exit ${run.status}):\n${run.stderr.slice(-3000)}`);
    const book = JSON.parse(readFileSync(join(out, 'gradebook.json'), 'utf8')) as { rows: { student: string; status: string; durationMs: number }[] };
    const statuses = book.rows.reduce<Record<string, number>>((acc, row) => ({ ...acc, [row.status]: (acc[row.status] ?? 0) + 1 }), {});
    const rate = (60 * book.rows.length) / seconds;
    rates.push(rate);
    console.log(`  run ${r}: ${seconds.toFixed(1)} s, ${rate.toFixed(1)} submissions/min (${Object.entries(statuses).map(([s, n]) => `${n} ${s}`).join(', ')}), load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    if (process.argv.includes('--by-kind')) printByKind(book.rows);
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`median: ${median(rates).toFixed(1)} submissions per minute (goal ≥ 100) on ${process.platform} with Node ${process.version}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
