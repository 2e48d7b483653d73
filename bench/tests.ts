/**
 * `npm run bench:tests [-- --runs 5] [-- --skip-full]`: wall time of the student loop and of the
 * whole suite, median of N runs, measured the way a user runs them (a fresh `npm` process each time).
 *
 *   student loop: npm run test:student -- exercises/03-batchnorm   (the stubs, as a student sees them)
 *   solved loop:  npm test exercises/03-batchnorm                  (the same suite, passing)
 *   everything:   npm test
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time(args: string[]): number {
  const start = process.hrtime.bigint();
  spawnSync('npm', args, { cwd: ROOT, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
const plans: [string, string[]][] = [
  ['npm run test:student -- exercises/03-batchnorm', ['run', 'test:student', '--', 'exercises/03-batchnorm']],
  ['npm test exercises/03-batchnorm', ['test', 'exercises/03-batchnorm']],
];
if (!process.argv.includes('--skip-full')) plans.push(['npm test', ['test']]);

console.log(`wall time, median of ${runs} runs (${process.platform}, Node ${process.version})`);
for (const [label, args] of plans) {
  time(args); // warm the file cache once; not counted
  const times = Array.from({ length: runs }, () => time(args));
  console.log(`  ${label.padEnd(48)} median ${median(times).toFixed(2)} s   (runs: ${times.map((t) => t.toFixed(2)).join(', ')})`);
}
