/**
 * `npm run grade -- <submission-dir> [options]`: grades one submission against the kit's public
 * and hidden suites, prints a score table and writes the results.
 *
 *   --seed <student-id>     per-student variant cases (default: 'reference')
 *   --out <dir>             output folder (default: grade-output/)
 *   --only <ids>            comma-separated exercises to grade, e.g. 03-batchnorm,04-groupnorm
 *   --fail-under <percent>  exit 1 when the score is below this share of the points (CI gates)
 *   --json                  print grade.json's summary to stdout instead of the table
 *   --call-timeout <ms>     time limit of one call into the submission (default 2000)
 *   --memory <MB>           memory limit of the submission's process (default 512)
 *   --verbose               show vitest's own log on stderr
 *
 * Exit codes: 0 graded (whatever the score), 1 below --fail-under, 2 the grader itself failed.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gradeSubmission, OUTPUT_FILES } from './grade.ts';
import { round2 } from './score.ts';
import { summarySentence } from './reports/report.ts';

const USAGE = 'usage: npm run grade -- <submission-dir> [--seed <id>] [--out <dir>] [--only <ids>] [--fail-under <percent>] [--json]';

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
  if (positionals.length !== 1) fail(positionals.length === 0 ? 'which submission? give its folder' : `one submission at a time, got ${positionals.length}`);
  const failUnder = values['fail-under'] === undefined ? undefined : Number(values['fail-under']);
  if (failUnder !== undefined && !(failUnder >= 0 && failUnder <= 100)) fail(`--fail-under must be a percentage between 0 and 100, got '${values['fail-under']}'`);
  const callMs = positiveNumber('call-timeout', values['call-timeout']);
  const memoryMb = positiveNumber('memory', values.memory);
  // npm runs scripts from the package root; paths on the command line are the user's.
  const base = process.env['INIT_CWD'] ?? process.cwd();
  const out = resolve(base, values.out ?? 'grade-output');

  const report = await gradeSubmission({
    submission: resolve(base, positionals[0]!),
    out,
    ...(values.seed !== undefined ? { seed: values.seed } : {}),
    ...(values.only ? { only: values.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    limits: { ...(callMs ? { callMs } : {}), ...(memoryMb ? { memoryMb } : {}) },
    ...(values.verbose ? { log: (text: string) => process.stderr.write(text) } : {}),
  });
  const { score } = report;
  const percent = score.maxPoints > 0 ? (100 * score.points) / score.maxPoints : 0;

  if (values.json) {
    const summary = {
      status: report.status,
      points: round2(score.points),
      maxPoints: round2(score.maxPoints),
      percent: round2(percent),
      seed: report.seed,
      durationMs: report.durationMs,
      timings: report.timings,
      exercises: Object.fromEntries(score.exercises.map((e) => [e.exercise, { points: round2(e.points), maxPoints: round2(e.maxPoints), public: e.public, hidden: e.hidden }])),
      errors: report.errors,
      warnings: score.warnings,
      out,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
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
    process.stdout.write(`${[line(header), ...rows.map(line), line(total)].join('\n')}\n\n${summarySentence(report)}\n`);
    process.stdout.write(`Results: ${OUTPUT_FILES.map((f) => `${out}/${f}`).join(', ')} (${(report.durationMs / 1000).toFixed(1)} s)\n`);
  }
  for (const warning of score.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (report.status === 'error') {
    for (const error of report.errors) process.stderr.write(`grader error: ${error}\n`);
    process.exitCode = 2;
    return;
  }
  if (failUnder !== undefined && percent < failUnder) {
    process.stderr.write(`score ${round2(percent)}% is below --fail-under ${failUnder}%\n`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`grade: the grader failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
