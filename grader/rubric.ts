/**
 * The rubric: `grader/rubric.json` (groups, defaults) and `grader/exercises/NN-slug/rubric.json`
 * (each exercise's points), schema `grader/rubric.schema.json`: points per exercise and
 * per test group. Validated with ajv when loaded; a malformed rubric is an error naming the JSON
 * path, never a silently wrong grade.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

function validatorFor(schemaText: string): { course: (json: unknown) => ErrorObject | null; exercise: (json: unknown) => ErrorObject | null } {
  const ajv = new Ajv({ allErrors: false, strict: true });
  const schema = JSON.parse(schemaText) as { $id: string };
  ajv.addSchema(schema);
  const course = ajv.getSchema(schema.$id)!;
  const exercise = ajv.getSchema(`${schema.$id}#/definitions/exercise`)!;
  const run = (validate: typeof course) => (json: unknown) => (validate(json) ? null : pickError(validate.errors ?? []));
  return { course: run(course), exercise: run(exercise) };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RubricError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Parses and validates a rubric: the course-level text (`grader/rubric.json`) and each exercise's
 * entry (`grader/exercises/NN-slug/rubric.json`), by exercise id. Errors name the file and the JSON path.
 */
export function parseRubric(text: string, schemaText: string, exerciseTexts: Readonly<Record<string, string>> = {}, file = 'grader/rubric.json'): Rubric {
  const validate = validatorFor(schemaText);
  const json = parseJson(text, file);
  const courseError = validate.course(json);
  if (courseError) throw new RubricError(`${file}: ${courseError.instancePath || '/'} ${courseError.message ?? 'is invalid'} (schema ${courseError.schemaPath})`);
  const rubric = { ...(json as Omit<Rubric, 'exercises'>), exercises: {} } as Rubric;
  for (const [id, entryText] of Object.entries(exerciseTexts)) {
    const entryFile = `grader/exercises/${id}/rubric.json`;
    const entry = parseJson(entryText, entryFile);
    const error = validate.exercise(entry);
    if (error) throw new RubricError(`${entryFile}: ${error.instancePath || '/'} ${error.message ?? 'is invalid'} (schema ${error.schemaPath})`);
    const { title, points } = entry as ExerciseRubric;
    rubric.exercises[id] = title === undefined ? { points } : { title, points };
  }
  const known = new Set(rubric.groups);
  const entries: [string, ExerciseRubric][] = [
    ...Object.entries(rubric.exercises).map(([id, e]) => [`grader/exercises/${id}/rubric.json`, e] as [string, ExerciseRubric]),
    ...(rubric.defaults ? [[`${file} /defaults`, rubric.defaults] as [string, ExerciseRubric]] : []),
  ];
  for (const [where, exercise] of entries) {
    for (const group of Object.keys(exercise.points)) {
      if (!known.has(group)) throw new RubricError(`${where}: /points/${group} is not one of the groups (${rubric.groups.join(', ')})`);
    }
  }
  return rubric;
}

/** Loads the rubric of the kit at `root`: `grader/rubric.json` and every `grader/exercises/NN-slug/rubric.json`, validated. */
export function loadRubric(root: string): Rubric {
  const dir = join(root, 'grader');
  const exercisesDir = join(dir, 'exercises');
  const entries: Record<string, string> = {};
  for (const id of readdirSync(exercisesDir).sort()) {
    const file = join(exercisesDir, id, 'rubric.json');
    if (/^[0-9]{2}-[a-z0-9-]+$/.test(id) && existsSync(file)) entries[id] = readFileSync(file, 'utf8');
  }
  return parseRubric(readFileSync(join(dir, 'rubric.json'), 'utf8'), readFileSync(join(dir, 'rubric.schema.json'), 'utf8'), entries);
}

/** The rubric entry of an exercise: its own, else the defaults; null when neither exists. */
export function exerciseRubric(rubric: Rubric, exercise: string): ExerciseRubric | null {
  return rubric.exercises[exercise] ?? rubric.defaults ?? null;
}
