/**
 * Generates the student stubs in `exercises/` from the reference solutions in `solutions/`.
 *
 * In a solution, the student's part sits between `// BEGIN SOLUTION` and `// END SOLUTION`. In the
 * stub, each such block becomes:
 *   - the block's `// TODO` comment lines, kept as hints;
 *   - the block's `//> ` lines with the prefix removed (stub-only code, such as an open cache type);
 *   - inside a function (an indented block): `throw new NotImplementedError('<fn>', '<file>');`.
 * Everything outside the blocks — imports, types, TSDoc, signatures — is copied as is, except the
 * TSDoc paragraphs marked solution-only: a doc line ` * @solution-only …` starts one, and it runs
 * to the next empty doc line (dropped with it), the next `@tag` line or the end of the comment.
 * They hold what the brief asks students to work out (the steps of a backward pass, a closed
 * form): the solution keeps them, the stub states the contract and points at the method.
 *
 *   npm run stubs            write exercises/NN-slug/*.ts
 *   npm run stubs -- --check exit 1 when a committed stub differs from what would be generated
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');

const BEGIN = /^(\s*)\/\/ BEGIN SOLUTION\s*$/;
const END = /^\s*\/\/ END SOLUTION\s*$/;
const TODO = /^\s*\/\/ TODO\b/;
const STUB_LINE = /^(\s*)\/\/> ?(.*)$/;
const FUNCTION = /^\s*(?:export\s+)?(?:async\s+)?function\s+([A-Za-z_$][\w$]*)/;
const SOLUTION_ONLY = /^\s*\*\s*@solution-only\b/;
const DOC_BLANK = /^\s*\*\s*$/;
const DOC_END_OR_TAG = /^\s*(?:\*\/|\*\s*@\w)/;
const HEADER = [
  '// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.',
  '// Run this exercise\'s tests with `npm test <this folder>`; the README next to this file is the brief.',
  '',
];

export class StubError extends Error {
  override readonly name = 'StubError';
}

/** The indices of the lines that belong to solution-only TSDoc paragraphs (marker lines included). */
export function solutionOnlyLineIndices(lines: readonly string[]): Set<number> {
  const dropped = new Set<number>();
  let inside = false;
  lines.forEach((line, i) => {
    if (!inside && SOLUTION_ONLY.test(line)) inside = true;
    else if (inside && DOC_BLANK.test(line)) {
      inside = false;
      dropped.add(i);
      return;
    } else if (inside && DOC_END_OR_TAG.test(line)) inside = false;
    if (inside) dropped.add(i);
  });
  return dropped;
}

/** The text of a source's solution-only TSDoc paragraphs, one entry per line. */
export function solutionOnlyLines(source: string): string[] {
  const lines = source.split('\n');
  return [...solutionOnlyLineIndices(lines)].map((i) => lines[i]!);
}

/** Turns a solution's source into the stub's source. `file` is the stub path shown to students. */
export function makeStub(source: string, file: string): string {
  const lines = source.split('\n');
  const solutionOnly = solutionOnlyLineIndices(lines);
  const out: string[] = [];
  let fn: string | null = null;
  let blocks = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (solutionOnly.has(i)) continue;
    const f = FUNCTION.exec(line);
    if (f) fn = f[1]!;
    const begin = BEGIN.exec(line);
    if (!begin) {
      if (END.test(line)) throw new StubError(`${file}:${i + 1}: END SOLUTION without BEGIN SOLUTION`);
      out.push(line);
      continue;
    }
    const indent = begin[1]!;
    let j = i + 1;
    const kept: string[] = [];
    for (; j < lines.length && !END.test(lines[j]!); j++) {
      const inner = lines[j]!;
      if (BEGIN.test(inner)) throw new StubError(`${file}:${j + 1}: nested BEGIN SOLUTION`);
      const stubLine = STUB_LINE.exec(inner);
      if (stubLine) kept.push(`${stubLine[1]}${stubLine[2]}`.trimEnd());
      else if (TODO.test(inner)) kept.push(inner);
    }
    if (j === lines.length) throw new StubError(`${file}:${i + 1}: BEGIN SOLUTION without END SOLUTION`);
    out.push(...kept);
    if (indent.length > 0) {
      if (!fn) throw new StubError(`${file}:${i + 1}: an indented solution block must sit inside a named function`);
      out.push(`${indent}throw new NotImplementedError('${fn}', '${file}');`);
    }
    blocks++;
    i = j;
  }
  if (blocks === 0) throw new StubError(`${file}: no BEGIN SOLUTION block`);
  let stub = out.join('\n');
  if (stub.includes('throw new NotImplementedError(') && !/\bNotImplementedError\b[^(]/.test(stub.split('throw new NotImplementedError(')[0]!)) {
    stub = addNotImplementedImport(stub, file);
  }
  return `${HEADER.join('\n')}${stub}`;
}

/** Adds `NotImplementedError` to the file's import from lib/index.ts (or a new import). */
function addNotImplementedImport(stub: string, file: string): string {
  const libImport = /import \{([^}]*)\} from '((?:\.\.\/)+lib\/index\.ts)';/;
  const m = libImport.exec(stub);
  if (m) {
    const names = m[1]!.split(',').map((s) => s.trim()).filter(Boolean);
    names.push('NotImplementedError');
    names.sort((a, b) => a.replace(/^type /, '').localeCompare(b.replace(/^type /, '')));
    return stub.replace(libImport, `import { ${names.join(', ')} } from '${m[2]}';`);
  }
  throw new StubError(`${file}: the solution must import from lib/index.ts so the stub can import NotImplementedError`);
}

export interface StubFile {
  solution: string;
  stub: string;
  content: string;
}

/** Every stub the solutions define: `solutions/NN-slug/*.ts` (not tests) → `exercises/NN-slug/*.ts`. */
export function generateStubs(root = ROOT): StubFile[] {
  const files: StubFile[] = [];
  const solutions = join(root, 'solutions');
  for (const dir of readdirSync(solutions).filter((d) => /^[0-9]{2}-/.test(d)).sort()) {
    for (const name of readdirSync(join(solutions, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
      const solution = join(solutions, dir, name);
      const stub = join(root, 'exercises', dir, name);
      const source = readFileSync(solution, 'utf8');
      if (!source.includes('// BEGIN SOLUTION')) continue; // a helper with no student part is not stubbed
      files.push({ solution, stub, content: makeStub(source, relative(root, stub)) });
    }
  }
  return files;
}

/** The stubs whose committed text differs from a fresh generation. */
export function staleStubs(root = ROOT): string[] {
  return generateStubs(root)
    .filter((f) => !existsSync(f.stub) || readFileSync(f.stub, 'utf8') !== f.content)
    .map((f) => relative(root, f.stub));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = staleStubs();
    if (stale.length > 0) {
      console.error(`stubs out of date (run \`npm run stubs\`):\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log('stubs are up to date');
  } else {
    for (const f of generateStubs()) {
      mkdirSync(dirname(f.stub), { recursive: true });
      writeFileSync(f.stub, f.content);
      console.log(`wrote ${relative(ROOT, f.stub)}`);
    }
  }
}
