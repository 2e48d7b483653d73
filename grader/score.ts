/**
 * Points from outcomes: each exercise is worth the sum of its rubric groups; a group's points are
 * shared equally by its tests (public and hidden together), so partial credit is the share of
 * cases that pass within tolerance. A group the rubric prices but no suite uses hands its points
 * to the exercise's other groups, so an exercise is always worth what the rubric says.
 */
import type { Diagnosis } from './test-worker/diagnose.ts';
import type { TestOutcome } from './results.ts';
import { exerciseRubric, type Rubric } from './rubric.ts';

export interface Tally {
  passed: number;
  total: number;
}

export interface GroupScore {
  group: string;
  points: number;
  maxPoints: number;
  /** Points of one test of this group. */
  perTest: number;
  all: Tally;
  public: Tally;
  hidden: Tally;
}

export interface ExerciseScore {
  exercise: string;
  title: string;
  points: number;
  maxPoints: number;
  groups: GroupScore[];
  public: Tally;
  hidden: Tally;
  /** Likely mistakes, one per mistake, from the failed tests. */
  diagnoses: Diagnosis[];
}

export interface Score {
  points: number;
  maxPoints: number;
  exercises: ExerciseScore[];
  /** Rubric and suite mismatches, for instructors. */
  warnings: string[];
}

const tally = (tests: readonly TestOutcome[]): Tally => ({ passed: tests.filter((t) => t.status === 'passed').length, total: tests.length });

/** A title for an exercise without one in the rubric: '03-batchnorm' → 'batchnorm'. */
export function defaultTitle(exercise: string): string {
  return exercise.replace(/^[0-9]{2}-/, '').replace(/-/g, ' ');
}

/** Scores the outcomes of the given exercises against the rubric. */
export function scoreOutcomes(outcomes: readonly TestOutcome[], exercises: readonly string[], rubric: Rubric): Score {
  const warnings: string[] = [];
  const scores: ExerciseScore[] = exercises.map((exercise) => {
    const entry = exerciseRubric(rubric, exercise);
    if (!entry) warnings.push(`${exercise}: no grader/exercises/${exercise}/rubric.json and no defaults in grader/rubric.json: worth 0 points`);
    const prices = entry?.points ?? {};
    const tests = outcomes.filter((o) => o.exercise === exercise && o.status !== 'skipped');
    const byGroup = new Map<string, TestOutcome[]>();
    for (const t of tests) byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), t]);
    const maxPoints = Object.values(prices).reduce((a, b) => a + b, 0);
    const pricedWithTests = Object.entries(prices).filter(([g]) => (byGroup.get(g)?.length ?? 0) > 0);
    const pricedTotal = pricedWithTests.reduce((a, [, p]) => a + p, 0);
    const scale = pricedTotal > 0 ? maxPoints / pricedTotal : 0;
    for (const [g, p] of Object.entries(prices)) {
      if (p > 0 && !byGroup.has(g)) warnings.push(`${exercise}: group '${g}' is worth ${p} points but has no tests; its points go to the other groups`);
    }
    const order = [...rubric.groups, ...[...byGroup.keys()].filter((g) => !rubric.groups.includes(g))];
    const groups: GroupScore[] = [];
    for (const group of order) {
      const members = byGroup.get(group);
      if (!members) continue;
      if (!(group in prices)) warnings.push(`${exercise}: ${members.length} tests in group '${group || '(none)'}', which the rubric does not price`);
      const max = (prices[group] ?? 0) * scale;
      const all = tally(members);
      groups.push({
        group,
        maxPoints: max,
        points: all.total > 0 ? (max * all.passed) / all.total : 0,
        perTest: all.total > 0 ? max / all.total : 0,
        all,
        public: tally(members.filter((m) => m.visibility === 'public')),
        hidden: tally(members.filter((m) => m.visibility === 'hidden')),
      });
    }
    if (tests.length === 0) warnings.push(`${exercise}: no tests ran`);
    const diagnoses = new Map<string, Diagnosis>();
    for (const t of tests) for (const d of t.diagnoses) diagnoses.set(`${d.exercise}/${d.mistake}`, d);
    return {
      exercise,
      title: entry?.title ?? defaultTitle(exercise),
      points: groups.reduce((a, g) => a + g.points, 0),
      maxPoints,
      groups,
      public: tally(tests.filter((t) => t.visibility === 'public')),
      hidden: tally(tests.filter((t) => t.visibility === 'hidden')),
      diagnoses: [...diagnoses.values()],
    };
  });
  return {
    points: scores.reduce((a, s) => a + s.points, 0),
    maxPoints: scores.reduce((a, s) => a + s.maxPoints, 0),
    exercises: scores,
    warnings,
  };
}

/** Points of one test under a score (for per-test reports). */
export function pointsOf(test: TestOutcome, score: Score): number {
  const group = score.exercises.find((e) => e.exercise === test.exercise)?.groups.find((g) => g.group === test.group);
  return group?.perTest ?? 0;
}

/** Rounds points for display and reports: two decimals. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
