/** Kit tests for the stub generator, and the guard that committed stubs match the solutions. */
import { describe, expect, test } from 'vitest';
import { makeStub, staleStubs, StubError } from './stubs.ts';

const solution = `import { assertShape, type Tensor } from '../../lib/index.ts';

/** Doubles x. */
export function double(x: Tensor): Tensor {
  // BEGIN SOLUTION
  // TODO: multiply every element by 2.
  assertShape('double', 'x', x, [null]);
  return { shape: x.shape, data: x.data.map((v) => 2 * v) };
  // END SOLUTION
}

// BEGIN SOLUTION
//> export interface Cache {
//>   [name: string]: unknown;
//> }
export interface Cache {
  x: Tensor;
}
// END SOLUTION
`;

describe('makeStub', () => {
  const stub = makeStub(solution, 'exercises/00-demo/demo.ts');

  test('replaces a function body block with TODO hints and one NotImplementedError naming the function and file', () => {
    expect(stub).toContain(
      "  // TODO: multiply every element by 2.\n  throw new NotImplementedError('double', 'exercises/00-demo/demo.ts');\n}",
    );
    expect(stub).not.toContain('data.map');
    expect(stub).not.toContain('BEGIN SOLUTION');
  });

  test('keeps TSDoc and signatures, imports NotImplementedError from lib, and swaps in the //> stub-only lines', () => {
    expect(stub).toContain('/** Doubles x. */\nexport function double(x: Tensor): Tensor {');
    expect(stub).toContain("import { assertShape, NotImplementedError, type Tensor } from '../../lib/index.ts';");
    expect(stub).toContain('export interface Cache {\n  [name: string]: unknown;\n}');
    expect(stub).not.toContain('  x: Tensor;');
  });

  test('rejects unbalanced or nested markers and files without a block', () => {
    expect(() => makeStub('function f() {\n  // BEGIN SOLUTION\n}', 'f.ts')).toThrow(StubError);
    expect(() => makeStub('// END SOLUTION', 'f.ts')).toThrow('END SOLUTION without BEGIN SOLUTION');
    expect(() => makeStub('function f() {\n  // BEGIN SOLUTION\n  // BEGIN SOLUTION\n  // END SOLUTION\n}', 'f.ts')).toThrow('nested BEGIN SOLUTION');
    expect(() => makeStub('export const x = 1;', 'f.ts')).toThrow('no BEGIN SOLUTION block');
  });
});

test('the committed stubs in exercises/ are exactly what `npm run stubs` generates from solutions/', () => {
  expect(staleStubs(), 'run `npm run stubs` and commit the result').toEqual([]);
});
