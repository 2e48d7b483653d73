/**
 * The plan of one submission's grading: everything the test workers need, decided once by the
 * grading process (grade.ts, stage.ts) and handed to them through vitest's `provide` / `inject`.
 * It is immutable: a test worker that sees a plan with a new `id` is grading a new submission.
 */
import type { ModuleSource, SandboxLimits } from './shared/protocol.ts';

/** The OS layers around the sandbox process, as `npm run grade -- doctor` reports them. */
export interface Layers {
  /** V8 isolates (isolated-vm): the submission's code has no `process`, handles or Node modules. Always on. */
  isolate: true;
  /** Node's permission model on the sandbox process: it may read only its own code. */
  permissionModel: boolean;
  /** The sandbox process runs as an unprivileged user (nobody) when the grader runs as root. */
  unprivilegedUser: boolean;
  /** The sandbox process has its own network namespace: no interface but a down loopback. */
  noNetwork: boolean;
  /** The kernel ends the sandbox process after `totalCpuSeconds` of CPU time (RLIMIT_CPU). */
  cpuLimit: boolean;
  /** The grading process kills the sandbox's process group after `totalWallSeconds` (supervisor.ts). Always on. */
  wallLimit: true;
  /** Why a layer is off, for the ones that are. */
  notes: string[];
}

export interface PlannedFile {
  /** ok: submitted and transpiled; missing: not in the submission; compile-error: does not parse. */
  status: 'ok' | 'missing' | 'compile-error';
  /** For compile-error: the first diagnostics, with line and column. */
  error?: string;
  /** The reference solution's runtime exports: the names the suites import, and their kind. */
  exports: { name: string; kind: 'function' | 'value' | 'class' }[];
}

export interface PlannedExercise {
  /** Implementation files by name: 'batchnorm.ts'. */
  files: Record<string, PlannedFile>;
}

export interface SandboxPlan {
  /**
   * The FIFOs to the submission's sandbox process, already running (grader/supervisor.ts): file
   * descriptors of the grading process, which its worker threads share.
   */
  fds: { request: number; reply: number };
  layers: Layers;
  limits: SandboxLimits;
  /** The in-isolate bridge, bundled. */
  bridge: string;
  /** Kit modules the isolate may link, by path ('lib/tensor.ts'). */
  kit: Record<string, ModuleSource>;
  /** The submission's files by path ('exercises/03-batchnorm/batchnorm.ts'), transpiled. */
  submission: Record<string, ModuleSource>;
}

export interface Plan {
  /** Unique for each submission a grader grades. */
  id: string;
  /** The student's seed for the hidden suites' variant cases. */
  seed: string;
  /** The kit's root directory. */
  root: string;
  exercises: Record<string, PlannedExercise>;
  sandbox: SandboxPlan;
  /** Set when preparing the submission failed (a grader error): every call reports it. */
  failed?: string;
}

/** The key the plan is provided under. */
export const PLAN_KEY = 'gradlab';

declare module 'vitest' {
  export interface ProvidedContext {
    gradlab: Plan | undefined;
  }
}
