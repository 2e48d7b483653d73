/**
 * A batch worker: a process of its own (started by batch.ts as `cli.ts --batch-worker`) that
 * keeps one Grader — one vitest and its test worker — and grades the submissions it is sent, one at a
 * time. The batch can kill it at any moment (a submission over its time limit) and start another;
 * nothing it holds is needed afterwards, because every result is written before it is reported.
 */
import { Grader } from '../grade.ts';
import type { GradeReport } from '../reports/report.ts';
import type { GradeLimits } from '../grade.ts';

export interface WorkerJob {
  type: 'grade';
  id: number;
  /** The clean submission folder made by intake. */
  submission: string;
  seed: string;
  /** The student's result folder. */
  out: string;
  only?: string[];
  /** The batch's limits (the same for every job of a worker). */
  limits: Partial<GradeLimits>;
}

export interface JobSummary {
  status: GradeReport['status'];
  points: number;
  maxPoints: number;
  exercises: Record<string, { points: number; maxPoints: number }>;
  errors: string[];
}

export type WorkerReply = { type: 'done'; id: number; summary: JobSummary } | { type: 'failed'; id: number; message: string };

/** The part of a report the gradebook keeps. */
export function summarize(report: GradeReport): JobSummary {
  return {
    status: report.status,
    points: report.score.points,
    maxPoints: report.score.maxPoints,
    exercises: Object.fromEntries(report.score.exercises.map((e) => [e.exercise, { points: e.points, maxPoints: e.maxPoints }])),
    errors: report.errors,
  };
}

/** The worker's main loop: jobs arrive over IPC, one at a time. */
export async function workerMain(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('batch worker: must be started by the batch, with an IPC channel');
  let grader: Promise<Grader> | undefined;
  let queue = Promise.resolve();
  process.on('message', (job: WorkerJob) => {
    queue = queue.then(async () => {
      try {
        grader ??= Grader.start({ limits: job.limits });
        const report = await (await grader).grade({ submission: job.submission, seed: job.seed, out: job.out, ...(job.only ? { only: job.only } : {}) });
        send({ type: 'done', id: job.id, summary: summarize(report) } satisfies WorkerReply);
      } catch (error) {
        send({ type: 'failed', id: job.id, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
      }
    });
  });
  process.on('disconnect', () => {
    void (async () => {
      try {
        await (await grader)?.close();
      } finally {
        process.exit(0);
      }
    })();
  });
}
