/**
 * The grader's stand-in for ajv (fixture-ajv.ts) must judge fixtures exactly as ajv does, both the
 * first time (compiled by ajv, code cached) and after (cached code evaluated), and a changed schema
 * must never meet a validator cached for another.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv as RealAjv } from 'ajv';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Ajv as CachedAjv } from './fixture-ajv.ts';
import { MANIFEST_ENV } from './manifest.ts';

const options = { allErrors: false, strict: true, allowUnionTypes: true };
const schema = JSON.parse(readFileSync(new URL('../../fixtures/schema.json', import.meta.url), 'utf8')) as object;
let root = '';
let previous: string | undefined;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'gradlab-ajv-'));
  writeFileSync(join(root, 'manifest.json'), JSON.stringify({ root }));
  previous = process.env[MANIFEST_ENV];
  process.env[MANIFEST_ENV] = join(root, 'manifest.json');
});

afterAll(() => {
  if (previous === undefined) delete process.env[MANIFEST_ENV];
  else process.env[MANIFEST_ENV] = previous;
  rmSync(root, { recursive: true, force: true });
});

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/03-batchnorm/public.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const broken = { ...fixture, visibility: 'secret' };
const samples = [fixture, broken, {}, null, 'text', { ...fixture, cases: 'none' }];

test('compiled then cached, the validator agrees with ajv on valid and broken fixtures', () => {
  const real = new RealAjv(options).compile(schema);
  const first = new CachedAjv(options).compile(schema);
  expect(existsSync(join(root, 'node_modules', '.cache', 'gradlab-grader')), 'the generated code is cached').toBe(true);
  const second = new CachedAjv(options).compile(schema);
  for (const sample of samples) {
    const verdict = real(sample);
    expect(first(sample)).toBe(verdict);
    expect(second(sample)).toBe(verdict);
    if (!verdict) expect(second.errors).toEqual(real.errors);
  }
  expect(real(fixture)).toBe(true);
  expect(real(broken)).toBe(false);
});

test('another schema gets its own validator, not one cached for the kit schema', () => {
  new CachedAjv(options).compile(schema);
  const strictNumber = new CachedAjv(options).compile({ type: 'number' });
  expect(strictNumber(3)).toBe(true);
  expect(strictNumber(fixture)).toBe(false);
});
