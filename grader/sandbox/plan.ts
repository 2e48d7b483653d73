/**
 * The plan of a grading run: which suites each lane runs, in what order. A lane is one vitest
 * instance with one test worker (see grade.ts); lanes run side by side, each going through its
 * exercises one by one, public suite then hidden suite, so that an exercise's two suites share one
 * sandbox process (client.ts) and no exercise is split between lanes.
 *
 * Exercises are dealt to lanes longest first, each to the lane with the least work so far, from
 * how long each suite took the last time all its tests passed (`SuiteTimes`: a small file in the
 * kit cache, written after each grading). A suite never timed counts as `DEFAULT_SUITE_MS`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the planner needs to know of an exercise (see discover.ts). */
export interface PlannedExercise {
  id: string;
  publicSuites: string[];
  hiddenSuites: string[];
}

const DEFAULT_SUITE_MS = 300;

/**
 * The suites of `exercises` in `lanes` lanes (fewer when there are fewer exercises), each lane in
 * the kit's exercise order, public suites before hidden ones.
 */
export function planLanes(exercises: readonly PlannedExercise[], lanes: number, times: SuiteTimes): string[][] {
  const count = Math.max(1, Math.min(lanes, exercises.length));
  const suitesOf = (e: PlannedExercise): string[] => [...e.publicSuites, ...e.hiddenSuites];
  const cost = (e: PlannedExercise): number => suitesOf(e).reduce((sum, suite) => sum + (times.get(suite) ?? DEFAULT_SUITE_MS), 0);
  const load = new Array<number>(count).fill(0);
  const laneOf = new Map<string, number>();
  for (const e of [...exercises].sort((a, b) => cost(b) - cost(a))) {
    const lane = load.indexOf(Math.min(...load));
    laneOf.set(e.id, lane);
    load[lane]! += cost(e);
  }
  return load.map((_, lane) => exercises.filter((e) => laneOf.get(e.id) === lane).flatMap(suitesOf));
}

/**
 * How long each suite took (ms) the last time every one of its tests passed: a correct submission's
 * timing, which a hostile one (timeouts) does not disturb. Best effort: a missing or unreadable file
 * only makes the lanes less even; written atomically, so concurrent graders may share it.
 */
export class SuiteTimes {
  readonly #file: string;
  readonly #times: Record<string, number>;

  constructor(root: string) {
    this.#file = join(root, 'node_modules', '.cache', 'gradlab-grader', 'suite-times.json');
    let times: Record<string, number> = {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.#file, 'utf8'));
      if (parsed !== null && typeof parsed === 'object') times = parsed as Record<string, number>;
    } catch {
      /* no times yet */
    }
    this.#times = times;
  }

  get(suite: string): number | undefined {
    const ms = this.#times[suite];
    return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
  }

  /** Records the suites that passed in full, and saves. */
  record(passed: readonly { suite: string; ms: number }[]): void {
    if (passed.length === 0) return;
    for (const { suite, ms } of passed) this.#times[suite] = Math.round(ms);
    try {
      mkdirSync(dirname(this.#file), { recursive: true });
      const temp = `${this.#file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      writeFileSync(temp, `${JSON.stringify(this.#times, null, 2)}\n`);
      renameSync(temp, this.#file);
    } catch {
      /* timing hints are an optimisation only */
    }
  }
}
