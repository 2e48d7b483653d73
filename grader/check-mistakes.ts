/**
 * `npx tsx grader/check-mistakes.ts [NN-slug …]`: grades every typical-mistake signature of
 * grader/exercises/NN-slug/mistakes.ts through the real grader (sandbox, public and hidden suites) and checks that
 * each one loses points in its exercise and is named by the diagnosis. `npm run mistakes` proves
 * the public suites catch a mistake in process; this proves the grader does, end to end.
 *
 * One grader grades them all (about 1.5 s per mistake). Exit 1 when a mistake keeps full marks.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Grader, KIT_ROOT } from './grade.ts';
import type { Mistake } from './exercises/mistake.ts';
import { applyMistake } from './exercises/mistake.ts';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const work = mkdtempSync(join(tmpdir(), 'gradlab-check-mistakes-'));
  const jobs: { exercise: string; mistake: Mistake; dir: string }[] = [];
  const exercisesDir = join(KIT_ROOT, 'grader', 'exercises');
  for (const exercise of readdirSync(exercisesDir).filter((f) => /^[0-9]{2}-[a-z0-9-]+$/.test(f) && existsSync(join(exercisesDir, f, 'mistakes.ts'))).sort()) {
    if (only.length > 0 && !only.includes(exercise)) continue;
    const { mistakes } = (await import(pathToFileURL(join(exercisesDir, exercise, 'mistakes.ts')).href)) as { mistakes: Mistake[] };
    for (const mistake of mistakes) {
      const dir = join(work, `${exercise}--${mistake.id}`);
      mkdirSync(dir, { recursive: true });
      cpSync(join(KIT_ROOT, 'solutions', exercise), join(dir, exercise), { recursive: true });
      const file = join(dir, exercise, mistake.file);
      writeFileSync(file, applyMistake(readFileSync(file, 'utf8'), mistake.replace, `${exercise} ${mistake.id}`));
      jobs.push({ exercise, mistake, dir });
    }
  }
  const grader = await Grader.start();
  let kept = 0;
  let named = 0;
  try {
    for (const { exercise, mistake, dir } of jobs) {
      const report = await grader.grade({ submission: dir, only: [exercise], out: null, seed: 'check-mistakes' });
      const score = report.score.exercises[0]!;
      const lost = score.points < score.maxPoints - 1e-9;
      const diagnosed = score.diagnoses.some((d) => d.mistake === mistake.id);
      if (!lost) kept++;
      if (diagnosed) named++;
      process.stdout.write(
        `${lost ? 'ok  ' : 'FULL'} ${exercise} ${mistake.id.padEnd(40)} ${score.points.toFixed(2).padStart(6)} / ${score.maxPoints}  ${diagnosed ? 'diagnosed' : 'not diagnosed'}\n`,
      );
    }
  } finally {
    await grader.close();
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`${jobs.length} mistakes: ${jobs.length - kept} lose points, ${named} are diagnosed by name\n`);
  if (kept > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`check-mistakes: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
