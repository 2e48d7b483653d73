/**
 * `npm run bench:grade`: the wall time of grading one complete submission — every exercise,
 * public, hidden and per-student variant cases — as a student's CI or an instructor runs it:
 * `npm run grade -- <dir> --seed <id>` (grader/start.mjs) in a fresh process (minus npm's own start). Median of 5 runs (after one warm-up
 * run that fills the OS file cache), plus the CPU time the runs used.
 *
 *   npm run bench:grade                 the reference solutions as the submission
 *   npm run bench:grade -- <dir> [runs] another submission, another number of runs
 *
 * Goal: ≤ 2 s on the course's 2-core machine.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Sample {
  wallMs: number;
  cpuMs: number;
  points: number;
  maxPoints: number;
  tests: number;
}

function gradeOnce(submission: string, out: string, seed: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // /usr/bin/time reports the CPU time of the grader and every process it started.
    const child = spawn('/usr/bin/time', ['-f', '%U %S', process.execPath, join(ROOT, 'grader', 'start.mjs'), submission, '--out', out, '--seed', seed, '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`grading failed (exit ${code}): ${stderr.slice(-1500)}`));
        return;
      }
      const times = /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(stderr);
      const summary = JSON.parse(stdout) as { points: number; maxPoints: number };
      const report = JSON.parse(readFileSync(join(out, 'grade.json'), 'utf8')) as { outcomes: unknown[] };
      resolve({
        wallMs,
        cpuMs: times ? (Number(times[1]) + Number(times[2])) * 1000 : NaN,
        points: summary.points,
        maxPoints: summary.maxPoints,
        tests: report.outcomes.length,
      });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const [given, runsText] = process.argv.slice(2);
  const runs = Number(runsText ?? 5);
  const work = mkdtempSync(join(tmpdir(), 'gradlab-bench-'));
  try {
    let submission = given;
    if (!submission) {
      // A complete submission: the reference implementations, copied out of the kit.
      submission = join(work, 'submission');
      for (const exercise of readdirSync(join(ROOT, 'solutions')).filter((d) => /^[0-9]{2}-/.test(d))) {
        cpSync(join(ROOT, 'solutions', exercise), join(submission, exercise), { recursive: true });
      }
    }
    process.stdout.write(`grading ${given ?? 'the reference solutions'} ${runs} times (+1 warm-up), seed per run\n`);
    await gradeOnce(submission, join(work, 'out-warmup'), 'bench-warmup');
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      const sample = await gradeOnce(submission, join(work, `out-${i}`), `bench-student-${i}`);
      samples.push(sample);
      process.stdout.write(
        `  run ${i + 1}: ${(sample.wallMs / 1000).toFixed(2)} s wall, ${(sample.cpuMs / 1000).toFixed(2)} s CPU, ${sample.points} / ${sample.maxPoints} points, ${sample.tests} tests\n`,
      );
    }
    const wall = median(samples.map((s) => s.wallMs));
    const cpu = median(samples.map((s) => s.cpuMs));
    process.stdout.write(`median of ${runs}: ${(wall / 1000).toFixed(2)} s wall, ${(cpu / 1000).toFixed(2)} s CPU (goal: ≤ 2 s wall)\n`);
    // Other work on the machine stretches every sandbox round trip: say how busy it was.
    process.stdout.write(`load average while measuring: ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} cores\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:grade: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
