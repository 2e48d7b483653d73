/**
 * Loads the numeric fixtures in `fixtures/NN-slug/{public,hidden}.json`, validating each against
 * `fixtures/schema.json` with ajv before a single number is used. A malformed fixture is a
 * `FixtureError` naming the file and the JSON path, never a confusing test failure.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { sizeOf, type Tensor } from '../tensor.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES_DIR = join(ROOT, 'fixtures');

/** A fixture value after loading: `{ shape, data }` objects become tensors with `Float64Array` data. */
export type FixtureValue = Tensor | number | string | boolean | null | FixtureValue[] | { [key: string]: FixtureValue };

export interface FixtureCase<Args = Record<string, FixtureValue>, Expected = Record<string, FixtureValue>> {
  /** Stable identifier, used in test titles, rubrics and feedback. */
  id: string;
  /** The exercise function this case is for. */
  fn: string;
  description: string;
  group?: string;
  args: Args;
  expected: Expected;
  tolerance?: { rtol: number; atol: number };
}

export interface Fixture {
  exercise: string;
  visibility: 'public' | 'hidden';
  generator: string;
  cases: FixtureCase[];
}

export class FixtureError extends Error {
  override readonly name = 'FixtureError';
}

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (!validator) {
    const schema: unknown = JSON.parse(readFileSync(join(FIXTURES_DIR, 'schema.json'), 'utf8'));
    validator = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile(schema as object);
  }
  return validator;
}

/** The most useful ajv error: the deepest path (anyOf reports every branch it tried). */
function pickError(errors: ErrorObject[]): ErrorObject {
  return errors.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), errors[0]!);
}

function isTensorJson(value: unknown): value is { shape: number[]; data: number[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && Array.isArray((value as { shape?: unknown }).shape) && Array.isArray((value as { data?: unknown }).data);
}

function revive(value: unknown, path: string, file: string): FixtureValue {
  if (isTensorJson(value)) {
    if (value.data.length !== sizeOf(value.shape)) {
      throw new FixtureError(
        `${file}: ${path} is a tensor of shape [${value.shape.join(', ')}] with ${value.data.length} numbers in 'data' (needs ${sizeOf(value.shape)})`,
      );
    }
    return { shape: value.shape, data: Float64Array.from(value.data) };
  }
  if (Array.isArray(value)) return value.map((v, i) => revive(v, `${path}/${i}`, file));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v, `${path}/${k}`, file)]));
  }
  return value as FixtureValue;
}

/** Parses and validates fixture text; `file` names it in errors. Exposed for tests of the loader itself. */
export function parseFixture(text: string, file: string): Fixture {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FixtureError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const check = validate();
  if (!check(json)) {
    const e = pickError(check.errors ?? []);
    throw new FixtureError(`${file}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'} (schema ${e.schemaPath})`);
  }
  const fixture = revive(json, '', file) as unknown as Fixture;
  const seen = new Set<string>();
  fixture.cases.forEach((c, i) => {
    if (seen.has(c.id)) throw new FixtureError(`${file}: /cases/${i}/id '${c.id}' is used by an earlier case`);
    seen.add(c.id);
  });
  return fixture;
}

/** Loads `fixtures/<exercise>/<visibility>.json`, validated. */
export function loadFixture(exercise: string, visibility: 'public' | 'hidden' = 'public'): Fixture {
  const path = join(FIXTURES_DIR, exercise, `${visibility}.json`);
  const file = relative(ROOT, path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new FixtureError(`${file}: missing (instructors regenerate fixtures with \`npm run fixtures\`)`);
  }
  return parseFixture(text, file);
}

/**
 * The cases of one function, typed by the test that reads them. The schema guarantees the
 * general form; the generic states what this function's cases hold.
 */
export function casesFor<Args, Expected>(fixture: Fixture, fn: string): FixtureCase<Args, Expected>[] {
  const cases = fixture.cases.filter((c) => c.fn === fn) as unknown as FixtureCase<Args, Expected>[];
  if (cases.length === 0) throw new FixtureError(`fixtures/${fixture.exercise}/${fixture.visibility}.json: no cases for ${fn}`);
  return cases;
}

/**
 * Pairs each case with its test title, `fn › id: description`, for `test.for(...)('%s', ...)`.
 * (Vitest quotes and truncates `$id`-style interpolation; `%s` on a string prints it whole.)
 */
export function titled<C extends { fn: string; id: string; description: string }>(cases: readonly C[]): [string, C][] {
  return cases.map((c) => [`${c.fn} › ${c.id}: ${c.description}`, c]);
}
