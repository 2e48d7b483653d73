/**
 * What there is to grade, read from the repository rather than listed anywhere: every
 * `exercises/NN-slug/` folder is an exercise, its `.ts` files other than tests are the files a
 * submission implements, and the reference solution next to each says which names the suites may
 * import (its runtime exports).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type ts from 'typescript';
import { KitCache } from './cache.ts';
import type { ExportInfo } from './sandbox/manifest.ts';
import { typescript } from './typescript.ts';

export interface ExerciseFile {
  /** 'batchnorm.ts' */
  name: string;
  /** The reference solution's runtime exports (the stub's when there is no solution). */
  exports: ExportInfo[];
}

export interface Exercise {
  /** '03-batchnorm' */
  id: string;
  /** 3 */
  number: number;
  /** Implementation files, by name order. */
  files: ExerciseFile[];
  /** Test files of the public suite, relative to the kit root. */
  publicSuites: string[];
  /** Test files of the hidden suite, relative to the kit root. */
  hiddenSuites: string[];
}

export const EXERCISE_DIR = /^([0-9]{2})-[a-z0-9-]+$/;
const TEST_FILE = /\.(test|spec)\.ts$/;

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every exercise of the kit at `root`, in number order. */
export function discoverExercises(root: string): Exercise[] {
  const cache = new KitCache(root);
  const dir = join(root, 'exercises');
  if (!isDir(dir)) throw new Error(`discoverExercises: no exercises/ folder in ${root}`);
  return readdirSync(dir)
    .filter((name) => EXERCISE_DIR.test(name) && isDir(join(dir, name)))
    .sort()
    .map((id) => {
      const folder = join(dir, id);
      const entries = readdirSync(folder).sort();
      const files = entries
        .filter((f) => f.endsWith('.ts') && !TEST_FILE.test(f) && !f.endsWith('.d.ts'))
        .map((name) => {
          const solution = join(root, 'solutions', id, name);
          const source = readFileSync(existsSync(solution) ? solution : join(folder, name), 'utf8');
          const exports = cache.memo(KitCache.key('exports', name, source), () => JSON.stringify(runtimeExports(source, name)));
          return { name, exports: JSON.parse(exports) as ExportInfo[] };
        });
      const hiddenDir = join(root, 'grader', 'exercises', id);
      const hiddenSuites = isDir(hiddenDir)
        ? readdirSync(hiddenDir)
            .filter((f) => f.endsWith('.test.ts'))
            .sort()
            .map((f) => `grader/exercises/${id}/${f}`)
        : [];
      return {
        id,
        number: Number(EXERCISE_DIR.exec(id)![1]),
        files,
        publicSuites: entries.filter((f) => f.endsWith('.test.ts')).map((f) => `exercises/${id}/${f}`),
        hiddenSuites,
      };
    });
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  const ts = typescript();
  return (ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined)?.some((m) => m.kind === kind) ?? false;
}

/**
 * The names a module exports at runtime (types and interfaces are erased), with their kind.
 * `export { a as b }` lists `b`, with the kind of the local `a` when it is declared in the file.
 */
export function runtimeExports(source: string, fileName: string): ExportInfo[] {
  const ts = typescript();
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const local = new Map<string, ExportInfo['kind']>();
  const exported = new Map<string, ExportInfo['kind']>();
  const kindOfInitializer = (init: ts.Expression | undefined): ExportInfo['kind'] =>
    init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? 'function' : 'value';
  for (const stmt of sf.statements) {
    const isExported = hasModifier(stmt, ts.SyntaxKind.ExportKeyword) && !hasModifier(stmt, ts.SyntaxKind.DefaultKeyword);
    const add = (name: string, kind: ExportInfo['kind']): void => {
      local.set(name, kind);
      if (isExported) exported.set(name, kind);
    };
    if (ts.isFunctionDeclaration(stmt) && stmt.name && !hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) add(stmt.name.text, 'function');
    else if (ts.isClassDeclaration(stmt) && stmt.name && !hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) add(stmt.name.text, 'class');
    else if (ts.isEnumDeclaration(stmt) && !hasModifier(stmt, ts.SyntaxKind.ConstKeyword)) add(stmt.name.text, 'value');
    else if (ts.isVariableStatement(stmt) && !hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) {
      for (const decl of stmt.declarationList.declarations) {
        if (ts.isIdentifier(decl.name)) add(decl.name.text, kindOfInitializer(decl.initializer));
      }
    }
  }
  for (const stmt of sf.statements) {
    if (!ts.isExportDeclaration(stmt) || stmt.isTypeOnly || !stmt.exportClause || !ts.isNamedExports(stmt.exportClause)) continue;
    for (const element of stmt.exportClause.elements) {
      if (element.isTypeOnly) continue;
      const localName = (element.propertyName ?? element.name).text;
      exported.set(element.name.text, stmt.moduleSpecifier ? 'function' : (local.get(localName) ?? 'value'));
    }
  }
  return [...exported].map(([name, kind]) => ({ name, kind }));
}
