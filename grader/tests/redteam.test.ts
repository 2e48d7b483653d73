/**
 * Attacks on exercises 07–10 found by the red-team pass (branch redteam2) that once worked, graded
 * end to end with the real command, each now proven to fail only the submission's own tests:
 *
 * 1. A string referenced many times: the copy out of the isolate writes it once per reference
 *    (300 references to one 1 MB string were 300 MB in a 256 MB heap, and V8 aborted the sandbox
 *    process: every later exercise failed). The bridge now counts every reference's characters,
 *    in results, trainer logs and repeated calls alike (grader/shared/limits.ts).
 * 2. A request over what the sandbox reads at once (two large results passed back together ended
 *    the sandbox process): refused in the test worker; and results can no longer carry such strings.
 * 3. Trusted code looping over a claimed shape (exercise 09's covOf over `[1e6, 1e6]` held the test
 *    worker for hours): a result's tensors must match their shapes (test-worker/sandbox.ts).
 * 4. Trusted code whose cost grows faster than a result inside the limits (exercise 09's projector
 *    of [20000, 13] components: 3.2 GB and 12 s a test): components are shape-checked first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GradeReport } from '../reports/report.ts';
import { buildSubmission, ROOT, type CorpusSubmission } from './corpus.ts';

const BLOCK = '07-babysitting,08-hyperparameter-search,09-pca-whitening,10-prelu-maxout';

let work = '';
const children: ChildProcess[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'gradlab-redteam-'));
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  if (work) rmSync(work, { recursive: true, force: true });
});

function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|__VITEST|TEST$|NODE_ENV$|GRADLAB_)/.test(k)));
}

/** Peak resident memory of a live process, in kB (VmHWM), or 0 once it is gone. */
function peakKb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

interface Graded {
  /** The grader wrote its reports before the deadline and below the memory bound. */
  finished: boolean;
  reports: Map<string, GradeReport>;
  /** The grading process's peak resident memory seen, in MB. */
  peakMb: number;
}

/**
 * Grades submissions built from the reference with `edits`, with the real CLI in a child process
 * (its own process group), stopped at `deadlineMs` or once its resident memory passes `maxMb`.
 */
function grade(submissions: Pick<CorpusSubmission, 'name' | 'edits'>[], only: string, deadlineMs: number, maxMb = Infinity): Promise<Graded> {
  const dirs = submissions.map((s) => {
    const dir = join(work, s.name);
    buildSubmission({ ...s, description: '', expect: [] }, dir);
    return dir;
  });
  const out = join(work, `out-${submissions.map((s) => s.name).join('-')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'grader', 'start.mjs'), ...dirs, '--out', out, '--json', '--seed', 'redteam', '--only', only, '--call-timeout', '2000'], {
      cwd: ROOT,
      env: childEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    let peak = 0;
    let stopped = false;
    const stop = (): void => {
      if (stopped || !child.pid) return;
      stopped = true;
      process.kill(-child.pid, 'SIGKILL');
    };
    const watch = setInterval(() => {
      peak = Math.max(peak, peakKb(child.pid!) / 1024);
      if (peak > maxMb) stop();
    }, 100);
    const deadline = setTimeout(stop, deadlineMs);
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(watch);
      clearTimeout(deadline);
      const reports = new Map<string, GradeReport>();
      for (const s of submissions) {
        const file = submissions.length === 1 ? join(out, 'grade.json') : join(out, s.name, 'grade.json');
        if (existsSync(file)) reports.set(s.name, JSON.parse(readFileSync(file, 'utf8')) as GradeReport);
      }
      if (!stopped && reports.size !== submissions.length) reject(new Error(`grading wrote no grade.json: ${stderr.slice(-2000)}`));
      else resolve({ finished: !stopped, reports, peakMb: Math.round(peak) });
    });
  });
}

/** `title [category] summary` of each failed test of an exercise. */
function failures(report: GradeReport | undefined, exercise: string): string[] {
  return (report?.outcomes ?? []).filter((o) => o.exercise === exercise && o.status !== 'passed').map((o) => `${o.title} [${o.failure?.category}] ${o.failure?.summary}`);
}

describe('a crash of the sandbox process is one exercise\'s failure, not the whole submission\'s', () => {
  const STRING_REFS = "const s = 'x'.repeat(1_000_000);";
  const submissions: Pick<CorpusSubmission, 'name' | 'edits'>[] = [
    {
      name: 'string-refs-result',
      edits: [{ kind: 'prologue', exercise: '07-babysitting', fn: 'expectedInitialLoss', code: `{ ${STRING_REFS} return new Array(300).fill(s) as never; }` }],
    },
    {
      name: 'string-refs-trainer-log',
      edits: [{ kind: 'prologue', exercise: '07-babysitting', fn: 'overfitSmallData', code: `{ ${STRING_REFS} const log = (trainer as unknown as { calls: string[] }).calls; for (let i = 0; i < 300; i++) log.push(s); }` }],
    },
    {
      name: 'string-refs-repeat',
      edits: [{ kind: 'prologue', exercise: '08-hyperparameter-search', fn: 'logUniform', code: "{ const g = globalThis as unknown as { s?: string }; g.s ??= 'x'.repeat(700_000); if (lo === 1e-6 && hi === 1e-1) return g.s as never; }" }],
    },
    {
      name: 'request-over-96-mb',
      edits: [
        {
          kind: 'replace',
          exercise: '09-pca-whitening',
          find: '  return { mean, components: { shape: [D, k], data: components }, variances: { shape: [k], data: variances } };',
          replacement: "  return { mean, components: { shape: [D, k], data: components }, variances: { shape: [k], data: variances }, ...(x.shape[0] === 12 && k === 3 ? { note: 'f'.repeat(34_000_000) } : {}) } as PcaFit;",
        },
        {
          kind: 'replace',
          exercise: '09-pca-whitening',
          find: '  return { shape: [x.shape[0]!, k], data: rotate(x, fit, D, k) };',
          replacement: "  return { shape: [x.shape[0]!, k], data: rotate(x, fit, D, k), ...('note' in fit ? { note: 'z'.repeat(67_000_000) } : {}) } as Tensor;",
        },
      ],
    },
  ];
  let graded: Promise<Graded>;
  beforeAll(() => {
    graded = grade(submissions, BLOCK, 240_000);
    graded.catch(() => {});
  });

  test('300 references to one 1 MB string in a result (1 MB in the isolate) fail expectedInitialLoss; exercise 08 is untouched', async () => {
    const { reports } = await graded;
    expect(failures(reports.get('string-refs-result'), '07-babysitting').filter((f) => f.includes('expectedInitialLoss') && f.includes('[output]')), 'the attacked function fails its own tests, as too large a result').not.toEqual([]);
    expect(failures(reports.get('string-refs-result'), '08-hyperparameter-search')).toEqual([]);
  }, 240_000);

  test("the same in a trainer's log (copied out whole) fails overfitSmallData; exercise 08 is untouched", async () => {
    const { reports } = await graded;
    expect(failures(reports.get('string-refs-trainer-log'), '07-babysitting').filter((f) => f.includes('overfitSmallData') && f.includes('[output]')), 'the attacked function fails its own tests, as too large a result').not.toEqual([]);
    expect(failures(reports.get('string-refs-trainer-log'), '08-hyperparameter-search')).toEqual([]);
  }, 240_000);

  test('the same string returned by each of 500 repeated calls fails logUniform; exercise 09 is untouched', async () => {
    const { reports } = await graded;
    expect(failures(reports.get('string-refs-repeat'), '08-hyperparameter-search').filter((f) => f.includes('logUniform') && f.includes('[output]')), 'the attacked function fails its own tests, as too large a result').not.toEqual([]);
    expect(failures(reports.get('string-refs-repeat'), '09-pca-whitening')).toEqual([]);
  }, 240_000);

  test('results of 34 and 67 MB passed back together (a 101 MB request) fail pcaReconstruct; exercise 10 is untouched', async () => {
    const { reports } = await graded;
    expect(failures(reports.get('request-over-96-mb'), '09-pca-whitening').filter((f) => f.includes('pcaFit') && f.includes('[output]')), 'the attacked function fails its own tests, as too large a result').not.toEqual([]);
    expect(failures(reports.get('request-over-96-mb'), '10-prelu-maxout')).toEqual([]);
  }, 240_000);
});

describe('trusted code does not do work a submission chooses', () => {
  test("exercise 09's public covOf: a whiten result claiming [1e6, 1e6] is graded within 60 s", async () => {
    const { finished } = await grade(
      [{ name: 'claimed-shape', edits: [{ kind: 'prologue', exercise: '09-pca-whitening', fn: 'whiten', code: 'return { shape: [1_000_000, 1_000_000], data: new Float64Array(0) };' }] }],
      '09-pca-whitening',
      60_000,
    );
    expect(finished, 'the grader finished').toBe(true);
  }, 120_000);

  test("exercise 09's projector: components of [20000, 13] (260,000 numbers, inside the limits) cost the grading process less than 1.5 GB", async () => {
    const { finished, peakMb } = await grade(
      [
        {
          name: 'wide-components',
          edits: [
            {
              kind: 'replace',
              exercise: '09-pca-whitening',
              find: '  return { mean, components: { shape: [D, k], data: components }, variances: { shape: [k], data: variances } };',
              replacement: '  return { mean, components: { shape: [20_000, 13], data: new Float64Array(260_000).fill(1) }, variances: { shape: [k], data: variances } };',
            },
          ],
        },
      ],
      '09-pca-whitening',
      180_000,
      1536,
    );
    expect(peakMb, 'peak resident memory of the grading process, MB').toBeLessThan(1536);
    expect(finished).toBe(true);
  }, 240_000);
});
