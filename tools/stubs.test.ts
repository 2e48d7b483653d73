/** Kit tests for the stub generator, and the guard that committed stubs match the solutions. */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { generateStubs, makeStub, solutionOnlyLines, staleStubs, StubError } from './stubs.ts';

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

describe('solution-only TSDoc', () => {
  const source = `/**
 * Backward pass: walk the graph one node at a time.
 *
 * @solution-only The steps:
 *   da = 2 · dout
 *   dx = da · x
 *
 * NOTE: keep this.
 * @solution-only dropped up to the tag
 * @param dout the upstream gradient.
 */
export function backward(dout: Tensor): Tensor {
  // BEGIN SOLUTION
  return dout;
  // END SOLUTION
}
`;
  const stub = makeStub(`import { type Tensor } from '../../lib/index.ts';\n${source}`, 'exercises/00-demo/demo.ts');

  test('drops each marked paragraph (to the next empty doc line, @tag or end of comment) and keeps the rest of the comment', () => {
    expect(stub).toContain('/**\n * Backward pass: walk the graph one node at a time.\n *\n * NOTE: keep this.\n * @param dout the upstream gradient.\n */');
    for (const gone of ['@solution-only', 'da = 2 · dout', 'dx = da · x', 'dropped up to the tag']) expect(stub).not.toContain(gone);
  });

  test('solutionOnlyLines lists exactly the dropped lines', () => {
    expect(solutionOnlyLines(source).map((l) => l.trim())).toEqual(['* @solution-only The steps:', '*   da = 2 · dout', '*   dx = da · x', '*', '* @solution-only dropped up to the tag']);
  });
});

/**
 * What the briefs ask students to work out, which no stub may state: the steps of batch norm's
 * graph backward, its closed form, and layer norm's closed form (exercises 03 and 04).
 */
const GIVEN_AWAY: readonly { what: string; pattern: RegExp }[] = [
  { what: "batch norm's graph backward: the gradient of the variance", pattern: /dσ²\s*=/ },
  { what: "batch norm's graph backward: the gradient of x − μ", pattern: /d\(x\s*−\s*μ\)\s*=/ },
  { what: "batch norm's graph backward: the gradient of the mean", pattern: /dμ\s*=/ },
  { what: "batch norm's graph backward: the gradient of 1/√(σ² + ε)", pattern: /\bds\s*=/ },
  { what: 'the closed form of batch norm', pattern: /N\s*·\s*dx̂\s*−\s*Σ/ },
  { what: 'the closed form of layer norm', pattern: /D\s*·\s*dx̂_id\s*−\s*Σ/ },
  { what: 'the sums of the closed form read off dγ and dβ', pattern: /Σ_i dx̂\s*=\s*γ/ },
];

describe('every stub states the contract, not the answer', () => {
  const stubs = generateStubs();

  test.for(stubs.map((f) => [f.stub.split('/exercises/')[1]!, f] as const))('%s carries no line of its solution-only doc', ([, f]) => {
    const secret = solutionOnlyLines(readFileSync(f.solution, 'utf8'))
      .map((l) => l.trim().replace(/^\*\s*(@solution-only\s*)?/, ''))
      .filter((l) => l.length >= 12);
    const stubLines = new Set(f.content.split('\n').map((l) => l.trim().replace(/^\*\s*/, '')));
    expect(secret.filter((l) => stubLines.has(l))).toEqual([]);
  });

  test.for(stubs.map((f) => [f.stub.split('/exercises/')[1]!, f] as const))('%s gives away none of the derivations the briefs ask for', ([, f]) => {
    expect(GIVEN_AWAY.filter((g) => g.pattern.test(f.content)).map((g) => g.what)).toEqual([]);
  });

  test('the guard can fail: the derivations are in the solutions, marked solution-only', () => {
    const solutions = stubs.map((f) => readFileSync(f.solution, 'utf8')).join('\n');
    const marked = stubs.flatMap((f) => solutionOnlyLines(readFileSync(f.solution, 'utf8'))).join('\n');
    for (const g of GIVEN_AWAY) {
      expect(g.pattern.test(solutions), `${g.what} is in a solution`).toBe(true);
      expect(g.pattern.test(marked), `${g.what} is marked solution-only`).toBe(true);
    }
  });
});

test('the committed stubs in exercises/ are exactly what `npm run stubs` generates from solutions/', () => {
  expect(staleStubs(), 'run `npm run stubs` and commit the result').toEqual([]);
});
