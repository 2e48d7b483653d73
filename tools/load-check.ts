/**
 * `npm run check:load`: verdicts do not depend on how busy the machine is. A corpus — the
 * reference, the independent implementation, the misbehaving submissions of grader/tests/corpus.ts
 * (an endless loop, memory exhaustion, patched globals, typical mistakes, broken sources) — is
 * graded as a batch twice: on an idle machine, and with every core oversubscribed by busy
 * processes (two per core). The two gradebooks, and every test's verdict and kind of failure,
 * must be identical. Exit 1 when anything differs.
 *
 *   npm run check:load
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GradeReport } from '../grader/reports/report.ts';
import { buildSubmission, corpus, ROOT } from '../grader/tests/corpus.ts';

interface Verdicts {
  rows: string[];
  tests: Map<string, string>;
}

function gradeBatch(batch: string, out: string): Verdicts {
  const run = spawnSync(process.execPath, [join(ROOT, 'grader', 'start.mjs'), batch, '--jobs', '2', '--out', out, '--call-timeout', '1000', '--memory', '128'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, INIT_CWD: ROOT },
  });
  if (run.status !== 0) throw new Error(`batch grading failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  const book = JSON.parse(readFileSync(join(out, 'gradebook.json'), 'utf8')) as { rows: { student: string; status: string; points: number; exercises: Record<string, { points: number }> }[] };
  const rows = book.rows.map((r) => `${r.student}: ${r.status} ${r.points.toFixed(6)} ${Object.entries(r.exercises).map(([e, x]) => `${e}=${x.points.toFixed(6)}`).join(' ')}`);
  const tests = new Map<string, string>();
  for (const r of book.rows) {
    const report = JSON.parse(readFileSync(join(out, 'students', r.student, 'grade.json'), 'utf8')) as GradeReport;
    for (const o of report.outcomes) tests.set(`${r.student} ${o.suite} ${o.title}`, `${o.status} ${o.failure?.category ?? ''} ${o.diagnoses.map((d) => d.mistake).join(',')}`);
  }
  return { rows, tests };
}

function busy(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gradlab-load-'));
  const hogs: ChildProcess[] = [];
  try {
    const batch = join(work, 'batch');
    for (const s of await corpus()) buildSubmission(s, join(batch, s.name));
    for (const [from, name] of [
      [join(ROOT, 'solutions'), 'reference'],
      [join(ROOT, 'grader', 'tests', 'independent'), 'independent'],
    ] as const) {
      for (const exercise of readdirSync(from).filter((d) => /^[0-9]{2}-/.test(d))) cpSync(join(from, exercise), join(batch, name, exercise), { recursive: true });
    }
    const cores = availableParallelism();
    process.stdout.write(`grading ${readdirSync(batch).length} submissions idle (load ${loadavg()[0]!.toFixed(1)}) …\n`);
    const idle = gradeBatch(batch, join(work, 'idle'));
    hogs.push(...busy(2 * cores));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    process.stdout.write(`grading them again with ${hogs.length} busy processes on ${cores} cores (load ${loadavg()[0]!.toFixed(1)}) …\n`);
    const loaded = gradeBatch(batch, join(work, 'loaded'));
    const differences: string[] = [];
    idle.rows.forEach((row, i) => {
      if (row !== loaded.rows[i]) differences.push(`gradebook: idle '${row}' / busy '${loaded.rows[i]}'`);
    });
    for (const [key, verdict] of idle.tests) if (loaded.tests.get(key) !== verdict) differences.push(`${key}: idle '${verdict}' / busy '${loaded.tests.get(key)}'`);
    if (loaded.tests.size !== idle.tests.size) differences.push(`tests: ${idle.tests.size} idle, ${loaded.tests.size} busy`);
    if (differences.length > 0) {
      process.stdout.write(`${differences.length} difference(s):\n${differences.slice(0, 40).map((d) => `  ${d}`).join('\n')}\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write(`identical: ${idle.rows.length} gradebook rows and ${idle.tests.size} test verdicts (with kind of failure and diagnoses)\n`);
    }
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`check:load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
