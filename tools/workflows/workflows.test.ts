/**
 * The GitHub Actions workflows the kit ships, validated, and the exact commands they run executed
 * here: the instructor's sharded grading (.github/workflows/grade.yml) shard by shard and merged,
 * and the student repository's public tests (the release's classroom.yml).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../stubs.ts';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string | number>;
}
interface Job {
  needs?: string | string[];
  env?: Record<string, string | number>;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  env?: Record<string, string | number>;
  jobs: Record<string, Job>;
}

const FILES = {
  grade: join(ROOT, '.github', 'workflows', 'grade.yml'),
  ci: join(ROOT, '.github', 'workflows', 'ci.yml'),
  classroom: join(ROOT, 'tools', 'release', 'templates', 'classroom.yml'),
};
/** Actions the workflows may use, at these major versions only. */
const ALLOWED_ACTIONS = new Set(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4', 'actions/download-artifact@v4']);

const schema = JSON.parse(readFileSync(join(ROOT, 'tools', 'workflows', 'workflow.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

function load(path: string): Workflow {
  // `uniqueKeys` and `strict`: a duplicated key would silently drop a step in GitHub's parser.
  return parse(readFileSync(path, 'utf8'), { uniqueKeys: true, strict: true }) as Workflow;
}

const runs = (job: Job): string[] => job.steps.flatMap((s) => (s.run ? [s.run] : []));

describe('every workflow', () => {
  test.for(Object.entries(FILES))('%s: matches the schema, uses only pinned known actions, Node 20', ([, path]) => {
    const wf = load(path);
    const ok = validate(wf);
    expect(validate.errors ?? [], `${path} does not match tools/workflows/workflow.schema.json`).toEqual([]);
    expect(ok).toBe(true);
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps) {
        if (step.uses) expect(ALLOWED_ACTIONS, `${step.uses} is not an allowed action version`).toContain(step.uses);
        if (step.uses === 'actions/setup-node@v4') expect(step.with?.['node-version']).toBe(20);
      }
    }
  });
});

describe('the student repository: public tests on every push', () => {
  test('runs on push and pull requests, installing from the lockfile and running the README command', () => {
    const wf = load(FILES.classroom);
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    // The release verifies exactly these two commands in a fresh copy of the student kit
    // (tools/release/release.ts, verifyTree), which CI runs through `npm run release`.
    expect(runs(wf.jobs['test']!)).toEqual(['npm ci', 'npm test']);
  });
});

describe('the instructor repository', () => {
  test('ci.yml runs the kit’s own CI script', () => {
    expect(runs(load(FILES.ci).jobs['test']!)).toEqual(['bash .ci/run']);
  });

  const wf = load(FILES.grade);
  const shardJob = wf.jobs['shard']!;
  const mergeJob = wf.jobs['merge']!;
  const matrix = shardJob.strategy?.matrix?.['shard'] as number[];

  test('grade.yml: one job per shard 1 … SHARDS, their artifacts downloaded and merged by a job that needs them', () => {
    expect(matrix).toEqual(Array.from({ length: Number(wf.env?.['SHARDS']) }, (_, i) => i + 1));
    const upload = shardJob.steps.find((s) => s.uses === 'actions/upload-artifact@v4')!;
    expect(upload.with?.['name']).toBe('shard-${{ matrix.shard }}');
    const download = mergeJob.steps.find((s) => s.uses === 'actions/download-artifact@v4')!;
    expect(download.with).toMatchObject({ pattern: 'shard-*', path: 'shards' });
    expect(mergeJob.needs).toBe('shard');
    expect(runs(mergeJob).some((r) => r.includes('merge shards/shard-*'))).toBe(true);
  });

  // NOTE: a fresh `npm ci` leaves no node_modules/.cache: make it before making a folder in it.
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const work = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'gradlab-workflow-test-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Runs a job's `run` steps (npm ci excepted: this checkout is installed) as the runner would. */
  function runJob(job: Job, cwd: string, env: Record<string, string>): void {
    for (const command of runs(job).filter((r) => r !== 'npm ci')) {
      const r = spawnSync('bash', ['-eo', 'pipefail', '-c', command], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
      expect(r.status, `\`${command}\` failed:\n${r.stderr.slice(-2000)}`).toBe(0);
    }
  }

  test('grade.yml: its exact commands grade every shard and merge them into one gradebook', () => {
    const submissions = join(work, 'submissions');
    for (const student of ['ana', 'ben', 'cai']) cpSync(join(ROOT, 'exercises', '06-mean-image'), join(submissions, student, '06-mean-image'), { recursive: true });
    const env = { SUBMISSIONS: submissions, SHARDS: String(wf.env?.['SHARDS']) };
    for (const shard of matrix) runJob(shardJob, work, { ...env, SHARD: String(shard) });
    // actions/download-artifact with `pattern` and `path`: one folder per artifact under shards/.
    mkdirSync(join(work, 'shards'));
    for (const shard of matrix) cpSync(join(work, `shard-${shard}`), join(work, 'shards', `shard-${shard}`), { recursive: true });
    runJob(mergeJob, work, env);
    const csv = readFileSync(join(work, 'gradebook', 'grades.csv'), 'utf8').trim().split('\n');
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['ana', 'ben', 'cai']);
    for (const student of ['ana', 'ben', 'cai']) expect(existsSync(join(work, 'gradebook', 'students', student, 'feedback.md')), `gradebook/students/${student}/feedback.md`).toBe(true);
  }, 240_000);
});
