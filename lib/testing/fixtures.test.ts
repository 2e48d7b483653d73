/** Kit tests for the fixture loader: schema validation with clear errors naming file and JSON path. */
import { describe, expect, test } from 'vitest';
import { casesFor, FixtureError, loadFixture, parseFixture, titled } from './fixtures.ts';

const valid = {
  exercise: '03-batchnorm',
  visibility: 'public',
  generator: 'test',
  cases: [{ id: 'a-case', fn: 'batchnormForward', description: 'd', args: { x: { shape: [2], data: [1, 2] }, mode: 'train' }, expected: { out: 3 } }],
};
const parse = (value: unknown): ReturnType<typeof parseFixture> => parseFixture(JSON.stringify(value), 'fixtures/x/public.json');

describe('parseFixture', () => {
  test('turns { shape, data } objects into tensors with Float64Array data, leaving other values alone', () => {
    const f = parse(valid);
    const x = f.cases[0]!.args['x'] as { shape: number[]; data: Float64Array };
    expect(x.data).toBeInstanceOf(Float64Array);
    expect(Array.from(x.data)).toEqual([1, 2]);
    expect(f.cases[0]!.args['mode']).toBe('train');
  });

  test.for([
    ['a case without an id', { ...valid, cases: [{ ...valid.cases[0], id: undefined }] }, "/cases/0 must have required property 'id'"],
    ['a string inside tensor data', { ...valid, cases: [{ ...valid.cases[0], args: { x: { shape: [2], data: [1, 'two'] } } }] }, '/cases/0/args/x'],
    ['an unknown visibility', { ...valid, visibility: 'secret' }, '/visibility must be equal to one of the allowed values'],
    ['no cases', { ...valid, cases: [] }, '/cases must NOT have fewer than 1 items'],
  ] as const)('rejects %s with the file and the JSON path', ([, bad, path]) => {
    expect(() => parse(bad)).toThrow(FixtureError);
    expect(() => parse(bad)).toThrow(`fixtures/x/public.json: ${path}`);
  });

  test('rejects a tensor whose data length does not match its shape, and duplicate ids', () => {
    expect(() => parse({ ...valid, cases: [{ ...valid.cases[0], args: { x: { shape: [3], data: [1, 2] } } }] })).toThrow(
      'fixtures/x/public.json: /cases/0/args/x is a tensor of shape [3] with 2 numbers',
    );
    expect(() => parse({ ...valid, cases: [valid.cases[0], valid.cases[0]] })).toThrow("/cases/1/id 'a-case' is used by an earlier case");
    expect(() => parseFixture('{ nope', 'f.json')).toThrow('f.json: not valid JSON');
  });
});

describe('loadFixture', () => {
  test('loads a committed fixture and selects cases by function, with titles fn › id: description', () => {
    const f = loadFixture('03-batchnorm');
    const cases = casesFor(f, 'batchnormForward');
    expect(cases.length).toBeGreaterThan(0);
    expect(titled(cases)[0]![0]).toMatch(/^batchnormForward › [a-z0-9-]+: ./);
    expect(() => casesFor(f, 'noSuchFunction')).toThrow(/no cases for noSuchFunction/);
    expect(() => loadFixture('99-missing')).toThrow('fixtures/99-missing/public.json: missing');
  });
});
