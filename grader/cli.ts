/**
 * `npm run grade -- <submission-dir> [more-dirs…] [options]`: grades submissions against the kit's
 * public and hidden suites, prints a score table and writes the results.
 *
 *   --seed <student-id>     per-student variant cases (default: 'reference' for one submission,
 *                           each folder's name when several are given)
 *   --out <dir>             output folder (default: grade-output/; with several submissions,
 *                           one folder per submission inside it, named after the submission)
 *   --only <ids>            comma-separated exercises to grade, e.g. 03-batchnorm,04-groupnorm
 *   --fail-under <percent>  exit 1 when a score is below this share of the points (CI gates)
 *   --json                  print a summary as JSON instead of the table (an array for several)
 *   --call-timeout <ms>     time limit of one call into a submission (default 2000)
 *   --memory <MB>           memory limit of a submission's process (default 512)
 *   --verbose               show vitest's own log on stderr
 *
 * Several submissions share one vitest instance: each after the first costs only its own tests.
 * Exit codes: 0 graded (whatever the score), 1 below --fail-under, 2 the grader itself failed.
 *
 * Batch mode (see batch/batch.ts), for a folder OF submissions (folders, .zip files, git repositories):
 *
 *   npm run grade -- submissions/ [--jobs N] [--shard i/n] [--timeout <s>] [--out <dir>]
 *   npm run grade -- merge <shard-out-dirs…> [--out <dir>]
 *
 *   --jobs <N>              submissions graded in parallel, one worker process each (default 2)
 *   --shard <i/n>           grade only this student's share of the batch (deterministic)
 *   --timeout <s>           time limit for grading one submission (default 300)
 *   --batch                 treat the folder as a batch even if it looks like one submission
 * The student id (and per-student seed) of each submission is its file or folder name.
 */
import { copyFileSync, cpSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BatchError, isSubmissionFolder, parseShard, runBatch } from './batch/batch.ts';
import { MergeError, mergeGradebooks } from './batch/gradebook.ts';
import { IntakeError } from './batch/intake.ts';
import { doctor, explain } from './commands.ts';
import { Grader, KIT_ROOT, OUTPUT_FILES } from './grade.ts';
import { summarySentence, type GradeReport } from './reports/report.ts';
import { round2 } from './score.ts';

const USAGE = [
  'usage: npm run grade -- <submission-dir> [more-dirs…] [--seed <id>] [--out <dir>] [--only <ids>] [--fail-under <percent>] [--json]',
  '       npm run grade -- <folder-of-submissions> [--jobs N] [--shard i/n] [--timeout <s>] [--out <dir>]',
  '       npm run grade -- merge <shard-out-dirs…> [--out <dir>]',
  '       npm run grade -- doctor                                   which isolation layers the sandbox gets here',
  '       npm run grade -- explain <grade-output-dir> <case-id>     a failed case, in full, for an appeal',
  '       npm run grade -- exercism <NN-slug> <input-dir> <output-dir>   Exercism test-runner interface',
].join('\n');

function fail(message: string): never {
  process.stderr.write(`grade: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) fail(`--${name} must be a positive number, got '${text}'`);
  return value;
}

function summary(report: GradeReport, out: string): object {
  const { score } = report;
  return {
    submission: report.submission,
    status: report.status,
    points: round2(score.points),
    maxPoints: round2(score.maxPoints),
    percent: round2(score.maxPoints > 0 ? (100 * score.points) / score.maxPoints : 0),
    seed: report.seed,
    durationMs: report.durationMs,
    timings: report.timings,
    exercises: Object.fromEntries(score.exercises.map((e) => [e.exercise, { points: round2(e.points), maxPoints: round2(e.maxPoints), public: e.public, hidden: e.hidden }])),
    errors: report.errors,
    warnings: score.warnings,
    out,
  };
}

function table(report: GradeReport, out: string): string {
  const { score } = report;
  const rows = score.exercises.map((e) => [
    e.exercise,
    `${round2(e.points).toFixed(2)} / ${round2(e.maxPoints)}`,
    `${e.public.passed}/${e.public.total}`,
    report.hiddenExercises.includes(e.exercise) ? `${e.hidden.passed}/${e.hidden.total}` : 'none',
  ]);
  const header = ['exercise', 'points', 'public', 'hidden'];
  const total = ['total', `${round2(score.points).toFixed(2)} / ${round2(score.maxPoints)}`, '', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...[...rows, total].map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
  return [
    `${report.submission} (seed ${report.seed})`,
    line(header),
    ...rows.map(line),
    line(total),
    '',
    summarySentence(report),
    `Results: ${[...OUTPUT_FILES, 'exercism/<exercise>/results.json'].map((f) => join(out, f)).join(', ')} (${(report.durationMs / 1000).toFixed(1)} s)`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        out: { type: 'string' },
        only: { type: 'string' },
        'fail-under': { type: 'string' },
        json: { type: 'boolean', default: false },
        'call-timeout': { type: 'string' },
        memory: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
        jobs: { type: 'string' },
        shard: { type: 'string' },
        timeout: { type: 'string' },
        batch: { type: 'boolean', default: false },
        'batch-worker': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values['batch-worker']) {
    const { workerMain } = await import('./batch/worker.ts');
    await workerMain();
    return;
  }
  if (positionals.length === 0) fail('which submission? give its folder');
  const failUnder = values['fail-under'] === undefined ? undefined : Number(values['fail-under']);
  if (failUnder !== undefined && !(failUnder >= 0 && failUnder <= 100)) fail(`--fail-under must be a percentage between 0 and 100, got '${values['fail-under']}'`);
  const callMs = positiveNumber('call-timeout', values['call-timeout']);
  const memoryMb = positiveNumber('memory', values.memory);
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  // npm runs scripts from the package root; paths on the command line are the user's.
  const base = process.env['INIT_CWD'] ?? process.cwd();
  const outRoot = resolve(base, values.out ?? 'grade-output');
  if (positionals[0] === 'doctor') {
    process.exitCode = await doctor(KIT_ROOT, (text) => process.stdout.write(text));
    return;
  }
  if (positionals[0] === 'explain') {
    if (positionals.length !== 3) fail('explain needs the output folder of a grading and a case id: grade -- explain <grade-output-dir> <case-id>');
    process.exitCode = explain(KIT_ROOT, resolve(base, positionals[1]!), positionals[2]!, (text) => process.stdout.write(text));
    return;
  }
  if (positionals[0] === 'exercism') {
    if (positionals.length !== 4) fail('exercism needs a slug, an input folder and an output folder: grade -- exercism <NN-slug> <input-dir> <output-dir>');
    const [, slug, input, output] = positionals as [string, string, string, string];
    const grader = await Grader.start({ limits: { ...(callMs ? { callMs } : {}), ...(memoryMb ? { memoryMb } : {}) } });
    try {
      if (!grader.exercises().includes(slug)) fail(`exercism: '${slug}' is not an exercise of this kit (${grader.exercises().join(', ')})`);
      const staged = mkdtempSync(join(tmpdir(), 'gradlab-exercism-'));
      try {
        // Exercism's input folder holds one exercise's files: they become <slug>/ of a submission.
        cpSync(resolve(base, input), join(staged, 'submission', slug), { recursive: true, filter: (src) => !lstatSync(src).isSymbolicLink() });
        await grader.grade({ submission: join(staged, 'submission'), seed: values.seed ?? 'reference', out: join(staged, 'out'), only: [slug] });
        mkdirSync(resolve(base, output), { recursive: true });
        copyFileSync(join(staged, 'out', 'exercism', slug, 'results.json'), join(resolve(base, output), 'results.json'));
      } finally {
        rmSync(staged, { recursive: true, force: true });
      }
    } finally {
      await grader.close();
    }
    return;
  }
  if (positionals[0] === 'merge') {
    try {
      const book = mergeGradebooks(positionals.slice(1).map((d) => resolve(base, d)), outRoot);
      process.stdout.write(`merged ${positionals.length - 1} gradebooks: ${book.rows.length} students → ${join(outRoot, 'grades.csv')}\n`);
    } catch (error) {
      if (error instanceof MergeError) fail(error.message);
      throw error;
    }
    return;
  }
  const first = resolve(base, positionals[0]!);
  if (positionals.length === 1 && statSync(first, { throwIfNoEntry: false })?.isDirectory() && (values.batch || !isSubmissionFolder(first))) {
    const jobs = values.jobs === undefined ? 2 : Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) fail(`--jobs must be a positive integer, got '${values.jobs}'`);
    const timeoutS = positiveNumber('timeout', values.timeout) ?? 300;
    try {
      const book = await runBatch({
        root: KIT_ROOT,
        batchDir: first,
        out: outRoot,
        jobs,
        ...(values.shard ? { shard: parseShard(values.shard) } : {}),
        timeoutMs: timeoutS * 1000,
        ...(only ? { only } : {}),
        limits: { ...(callMs ? { callMs } : {}), ...(memoryMb ? { memoryMb } : {}) },
        // The same entry point this process came through (start.mjs, or tsx's loader and cli.ts), in worker mode.
        workerCommand: [process.execPath, ...process.execArgv, process.argv[1]!, '--batch-worker'],
        progress: process.stderr.isTTY === true,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      if (failUnder !== undefined) {
        const below = book.rows.filter((r) => r.maxPoints > 0 && (100 * r.points) / r.maxPoints < failUnder);
        if (below.length > 0) {
          process.stderr.write(`${below.length} submission(s) below --fail-under ${failUnder}%\n`);
          process.exitCode = 1;
        }
      }
    } catch (error) {
      if (error instanceof BatchError || error instanceof IntakeError) fail(error.message);
      throw error;
    }
    return;
  }
  if (values.jobs !== undefined || values.shard !== undefined || values.timeout !== undefined) {
    fail('--jobs, --shard and --timeout apply to a folder of submissions (batch mode)');
  }
  const several = positionals.length > 1;
  const used = new Map<string, number>();
  const jobs = positionals.map((given) => {
    const submission = resolve(base, given);
    if (!statSync(submission, { throwIfNoEntry: false })?.isDirectory()) fail(`no submission folder at ${submission}`);
    const name = basename(submission) || 'submission';
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    const folder = n === 1 ? name : `${name}-${n}`;
    return { submission, out: several ? join(outRoot, folder) : outRoot, seed: values.seed ?? (several ? name : 'reference') };
  });

  const grader = await Grader.start({
    limits: { ...(callMs ? { callMs } : {}), ...(memoryMb ? { memoryMb } : {}) },
    ...(values.verbose ? { log: (text: string) => process.stderr.write(text) } : {}),
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`grade: stopped by ${signal}; sandboxes killed, temp files removed\n`);
      grader.abort();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  const summaries: object[] = [];
  let exitCode = 0;
  try {
    for (const job of jobs) {
      const report = await grader.grade({ ...job, ...(only ? { only } : {}) });
      const { score } = report;
      if (values.json) summaries.push(summary(report, job.out));
      else process.stdout.write(table(report, job.out));
      for (const warning of score.warnings) process.stderr.write(`warning: ${warning}\n`);
      if (report.status === 'error') {
        for (const error of report.errors) process.stderr.write(`grader error (${report.submission}): ${error}\n`);
        exitCode = 2;
      }
      const percent = score.maxPoints > 0 ? (100 * score.points) / score.maxPoints : 0;
      if (failUnder !== undefined && percent < failUnder) {
        process.stderr.write(`${report.submission}: score ${round2(percent)}% is below --fail-under ${failUnder}%\n`);
        if (exitCode === 0) exitCode = 1;
      }
    }
  } finally {
    await grader.close();
  }
  if (values.json) process.stdout.write(`${JSON.stringify(several ? summaries : summaries[0], null, 2)}\n`);
  process.exitCode = exitCode;
}

main().catch((error: unknown) => {
  process.stderr.write(`grade: the grader failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
