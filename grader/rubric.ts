/**
 * The rubric (`grader/rubric.json`, schema `grader/rubric.schema.json`): points per exercise and
 * per test group. Validated with ajv when loaded; a malformed rubric is an error naming the JSON
 * path, never a silently wrong grade.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';

export type GradescopeVisibility = 'visible' | 'hidden' | 'after_due_date' | 'after_published';

export interface ExerciseRubric {
  title?: string;
  /** Points of each test group; the exercise is worth their sum. */
  points: Record<string, number>;
}

export interface Rubric {
  title: string;
  /** Every group the suites may use, in display order. */
  groups: string[];
  hiddenVisibility?: GradescopeVisibility;
  defaults?: ExerciseRubric;
  exercises: Record<string, ExerciseRubric>;
}

export class RubricError extends Error {
  override readonly name = 'RubricError';
}

function pickError(errors: ErrorObject[]): ErrorObject {
  return errors.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), errors[0]!);
}

/** Parses and validates rubric text; `file` names it in errors. */
export function parseRubric(text: string, schemaText: string, file = 'grader/rubric.json'): Rubric {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RubricError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const validate = new Ajv({ allErrors: false, strict: true }).compile(JSON.parse(schemaText) as object);
  if (!validate(json)) {
    const e = pickError(validate.errors ?? []);
    throw new RubricError(`${file}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'} (schema ${e.schemaPath})`);
  }
  const rubric = json as Rubric;
  const known = new Set(rubric.groups);
  const entries: [string, ExerciseRubric][] = [...Object.entries(rubric.exercises), ...(rubric.defaults ? [['defaults', rubric.defaults] as [string, ExerciseRubric]] : [])];
  for (const [id, exercise] of entries) {
    for (const group of Object.keys(exercise.points)) {
      if (!known.has(group)) {
        throw new RubricError(`${file}: /exercises/${id}/points/${group} is not one of the groups (${rubric.groups.join(', ')})`);
      }
    }
  }
  return rubric;
}

/** Loads `grader/rubric.json` of the kit at `root`, validated. */
export function loadRubric(root: string): Rubric {
  const dir = join(root, 'grader');
  return parseRubric(readFileSync(join(dir, 'rubric.json'), 'utf8'), readFileSync(join(dir, 'rubric.schema.json'), 'utf8'));
}

/** The rubric entry of an exercise: its own, else the defaults; null when neither exists. */
export function exerciseRubric(rubric: Rubric, exercise: string): ExerciseRubric | null {
  return rubric.exercises[exercise] ?? rubric.defaults ?? null;
}
