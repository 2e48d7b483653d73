/**
 * Misbehaving submissions for the grader's own tests, generated from the reference solutions: a
 * submission is a copy of `solutions/` with a few edits, each confined to one exercise (and
 * usually one function), so a test can check that the edit changed that exercise's grade, for the
 * right reason, and nothing else. New exercises are picked up automatically; an edit whose target
 * is missing fails loudly.
 */
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { FailureCategory } from '../results.ts';
import { SubmissionError } from '../test-worker/sandbox.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** One edit of a copied solution file. */
export type Edit =
  /** Inserts statements at the start of a function's body. */
  | { kind: 'prologue'; exercise: string; fn: string; code: string }
  /** Adds lines at the top (after the imports) or at the end of a file. */
  | { kind: 'top' | 'end'; exercise: string; code: string; file?: string }
  /** Replaces text that occurs exactly once. */
  | { kind: 'replace'; exercise: string; find: string; replacement: string; file?: string }
  /** Writes an extra file into the exercise folder. */
  | { kind: 'add'; exercise: string; file: string; text: string }
  /** Removes the exercise folder. */
  | { kind: 'remove'; exercise: string };

/** What grading a submission must show for one exercise. */
export type Expectation =
  /** Every test of the exercise passes. */
  | { exercise: string; outcome: 'pass' }
  /** Every test fails with this category (and every public one with a summary matching `reason`). */
  | { exercise: string; outcome: 'all-fail'; category: FailureCategory; reason?: RegExp }
  /**
   * Only tests that call `fn` (or a function that calls it) fail, at least one of them with
   * `category` (and a summary matching `reason`), and every other test of the exercise passes.
   * With `every`, each test that calls `fn` itself fails.
   */
  | { exercise: string; outcome: 'fn-fails'; fn: string; category: FailureCategory; reason?: RegExp; every?: true }
  /** The exercise loses points and the feedback names this mistake. */
  | { exercise: string; outcome: 'diagnosed'; mistake: string };

export interface CorpusSubmission {
  name: string;
  description: string;
  edits: Edit[];
  expect: Expectation[];
}

/** The exercises of the kit and their (single) solution file. */
export function solutionFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const exercise of readdirSync(join(ROOT, 'solutions')).filter((d) => /^[0-9]{2}-/.test(d)).sort()) {
    const ts = readdirSync(join(ROOT, 'solutions', exercise)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    if (ts.length > 0) files.set(exercise, ts[0]!);
  }
  return files;
}

function functionDeclaration(source: ts.SourceFile, name: string): ts.FunctionDeclaration | undefined {
  return source.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name && s.body !== undefined);
}

/** Functions of a solution that use `fn`, directly or through one another (and `fn`). */
export function callersOf(exercise: string, fn: string): Set<string> {
  const file = solutionFiles().get(exercise)!;
  const text = readFileSync(join(ROOT, 'solutions', exercise, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const calls = new Map<string, Set<string>>();
  for (const s of source.statements) {
    if (!ts.isFunctionDeclaration(s) || !s.name || !s.body) continue;
    const called = new Set<string>();
    const visit = (node: ts.Node): void => {
      // Any reference counts: `center === 'image' ? meanImage : channelMean` calls it as well.
      if (ts.isIdentifier(node)) called.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(s.body);
    calls.set(s.name.text, called);
  }
  const affected = new Set([fn]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, called] of calls) {
      if (!affected.has(name) && [...called].some((c) => affected.has(c))) {
        affected.add(name);
        grew = true;
      }
    }
  }
  return affected;
}

/** Writes the submission into `dir` (created; emptied first). */
export function buildSubmission(submission: CorpusSubmission, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = solutionFiles();
  for (const exercise of files.keys()) {
    cpSync(join(ROOT, 'solutions', exercise), join(dir, exercise), { recursive: true, filter: (src) => !src.endsWith('.test.ts') });
  }
  for (const edit of submission.edits) {
    const folder = join(dir, edit.exercise);
    if (edit.kind === 'remove') {
      rmSync(folder, { recursive: true, force: true });
      continue;
    }
    if (edit.kind === 'add') {
      mkdirSync(join(folder, edit.file, '..'), { recursive: true });
      writeFileSync(join(folder, edit.file), edit.text);
      continue;
    }
    const file = join(folder, ('file' in edit && edit.file) || files.get(edit.exercise)!);
    let text = readFileSync(file, 'utf8');
    const label = `${submission.name}: ${edit.kind} in ${edit.exercise}`;
    switch (edit.kind) {
      case 'prologue': {
        const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
        const decl = functionDeclaration(source, edit.fn);
        if (!decl?.body) throw new Error(`${label}: no function ${edit.fn}`);
        const at = decl.body.getStart(source) + 1;
        text = `${text.slice(0, at)}\n  ${edit.code}\n${text.slice(at)}`;
        break;
      }
      case 'top': {
        const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
        const imports = source.statements.filter(ts.isImportDeclaration);
        const at = imports.length > 0 ? imports[imports.length - 1]!.getEnd() : 0;
        text = `${text.slice(0, at)}\n${edit.code}\n${text.slice(at)}`;
        break;
      }
      case 'end':
        text = `${text}\n${edit.code}\n`;
        break;
      case 'replace': {
        const at = text.indexOf(edit.find);
        if (at < 0 || text.indexOf(edit.find, at + 1) >= 0) throw new Error(`${label}: '${edit.find}' must occur exactly once`);
        text = text.slice(0, at) + edit.replacement + text.slice(at + edit.find.length);
        break;
      }
    }
    writeFileSync(file, text);
  }
}

/** A mistake signature applied as an edit (see grader/exercises/mistake.ts). */
async function mistakeEdits(exercise: string, id: string): Promise<Edit[]> {
  const { mistakes } = (await import(join(ROOT, 'grader', 'exercises', exercise, 'mistakes.ts'))) as { mistakes: { id: string; file: string; replace: [string, string][] }[] };
  const mistake = mistakes.find((m) => m.id === id);
  if (!mistake) throw new Error(`no mistake ${id} in grader/exercises/${exercise}/mistakes.ts`);
  return mistake.replace.map(([find, replacement]) => ({ kind: 'replace', exercise, file: mistake.file, find, replacement }));
}

/**
 * The corpus. Runtime hostility (loops, memory, exit, non-Errors, prints, file access) in one
 * submission, one behaviour per exercise; patched globals and typical mistakes in a second;
 * broken sources (syntax, exports, types, NaN, shapes, kinds, helper modules, a missing exercise)
 * in a third.
 */
export async function corpus(): Promise<CorpusSubmission[]> {
  const grader = JSON.stringify(join(ROOT, 'grader', 'rubric.json'));
  const fixture = JSON.stringify(join(ROOT, 'fixtures', '03-batchnorm', 'public.json'));
  return [
    {
      name: 'hostile-runtime',
      description: "an infinite loop, memory exhaustion, a reach for Node's process, a thrown number, megabytes of prints and an import of node:fs to read grader/ and fixtures/",
      edits: [
        { kind: 'prologue', exercise: '01-activations', fn: 'sigmoidBackward', code: 'for (;;) {}' },
        { kind: 'prologue', exercise: '02-weight-init', fn: 'heInit', code: 'const hog: Float64Array[] = []; for (;;) hog.push(new Float64Array(1 << 20).fill(1));' },
        { kind: 'prologue', exercise: '03-batchnorm', fn: 'batchnormBackwardAlt', code: '(globalThis as unknown as { process: { exit(code: number): void } }).process.exit(3);' },
        { kind: 'prologue', exercise: '04-groupnorm', fn: 'groupnormBackward', code: 'throw 42;' },
        { kind: 'prologue', exercise: '05-gradient-check', fn: 'relError', code: "console.log('x'.repeat(3 << 20));" },
        { kind: 'top', exercise: '06-mean-image', code: "import { readFileSync } from 'node:fs';" },
        { kind: 'prologue', exercise: '06-mean-image', fn: 'channelMean', code: `readFileSync(${grader}); readFileSync(${fixture});` },
      ],
      expect: [
        { exercise: '01-activations', outcome: 'fn-fails', fn: 'sigmoidBackward', category: 'timeout', reason: /sigmoidBackward timed out: it ran out of CPU time/ },
        { exercise: '02-weight-init', outcome: 'fn-fails', fn: 'heInit', category: 'memory', reason: /heInit exceeded the memory limit/ },
        { exercise: '03-batchnorm', outcome: 'fn-fails', fn: 'batchnormBackwardAlt', category: 'threw', reason: /TypeError: Cannot read properties of undefined \(reading 'exit'\)/ },
        { exercise: '04-groupnorm', outcome: 'fn-fails', fn: 'groupnormBackward', category: 'threw', reason: /threw 42, which is not an Error/ },
        { exercise: '05-gradient-check', outcome: 'fn-fails', fn: 'relError', category: 'output', reason: /relError printed more than 1 MB/ },
        { exercise: '06-mean-image', outcome: 'all-fail', category: 'access', reason: /access denied: 'node:fs' is a Node module/ },
      ],
    },
    {
      name: 'patched-globals',
      description: "globals patched at load time in exercise 03 (which stays correct) and one typical mistake in every other exercise",
      edits: [
        {
          kind: 'end',
          exercise: '03-batchnorm',
          code: [
            "console.log = () => { throw new Error('console is mine'); };",
            "JSON.stringify = () => '\"tampered\"';",
            'JSON.parse = () => ({});',
            "Map.prototype.get = function () { return 'tampered'; };",
            'Set.prototype.has = () => false;',
            "Array.prototype.push = function () { throw new Error('no push'); };",
            "Object.defineProperty(Array.prototype, 0, { set() { throw new Error('no index 0'); }, configurable: true });",
            "Object.defineProperty(Object.prototype, 'then', { get() { throw new Error('not a thenable'); }, configurable: true });",
            "(Float64Array.prototype as unknown as { toString: () => string }).toString = () => 'tampered';",
            "Object.defineProperty(Object.prototype, 'toJSON', { value() { return 'tampered'; }, configurable: true, writable: true });",
            "Object.defineProperty(Object.prototype, '\\u0000gradlab', { get() { return { kind: 'handle', id: 1 }; }, configurable: true });",
            "Object.defineProperty(Object.prototype, 'ok', { get() { return false; }, configurable: true });",
            "Object.defineProperty(Object.prototype, 'thrown', { get() { return { form: 'error', message: 'forged' }; }, configurable: true });",
            "DataView.prototype.setUint32 = () => { throw new Error('no views'); };",
            "Math.random = () => 0.5;",
            // Last: from here on every descriptor object inherits accessors (the bridge's have no prototype).
            "Object.defineProperty(Object.prototype, 'get', { value() { return 'tampered'; }, configurable: true, writable: true });",
            "Object.defineProperty(Object.prototype, 'value', { set() { throw new Error('no value'); }, configurable: true });",
          ].join('\n'),
        },
        ...(await mistakeEdits('01-activations', 'sigmoid-derivative-of-x')),
        ...(await mistakeEdits('02-weight-init', 'xavier-scaled-by-fan-out')),
        ...(await mistakeEdits('04-groupnorm', 'strided-channel-groups')),
        ...(await mistakeEdits('05-gradient-check', 'array-output-not-copied')),
        ...(await mistakeEdits('06-mean-image', 'mean-per-split')),
      ],
      expect: [
        { exercise: '03-batchnorm', outcome: 'pass' },
        { exercise: '01-activations', outcome: 'diagnosed', mistake: 'sigmoid-derivative-of-x' },
        { exercise: '02-weight-init', outcome: 'diagnosed', mistake: 'xavier-scaled-by-fan-out' },
        { exercise: '04-groupnorm', outcome: 'diagnosed', mistake: 'strided-channel-groups' },
        { exercise: '05-gradient-check', outcome: 'diagnosed', mistake: 'array-output-not-copied' },
        { exercise: '06-mean-image', outcome: 'diagnosed', mistake: 'mean-per-split' },
      ],
    },
    {
      name: 'honest-with-patches',
      description: 'correct answers from modules that patch globals the way students do, keeping every built-in working (enumerable helpers on Object.prototype and Array.prototype, wrapped push, iterator, JSON.stringify and defineProperty, Math.random)',
      edits: [...solutionFiles().keys()].map((exercise): Edit => ({
        kind: 'end',
        exercise,
        code: [
          '(Object.prototype as unknown as { sum: () => number }).sum = function () { return 0; };',
          '(Array.prototype as unknown as { last: () => unknown }).last = function (this: unknown[]) { return this[this.length - 1]; };',
          "(Float64Array.prototype as unknown as { toString: () => string }).toString = function () { return 'f64'; };",
          '{ const push = Array.prototype.push; Array.prototype.push = function (this: unknown[], ...a: unknown[]) { return push.apply(this, a); }; }',
          '{ const it = Array.prototype[Symbol.iterator]; Array.prototype[Symbol.iterator] = function (this: unknown[]) { return it.call(this); } as never; }',
          '{ const s = JSON.stringify; JSON.stringify = ((...a: Parameters<typeof s>) => s(...a)) as typeof s; }',
          '{ const d = Object.defineProperty; Object.defineProperty = ((o: object, k: PropertyKey, v: PropertyDescriptor) => d(o, k, v)) as typeof d; }',
          'Math.random = () => 0.25;',
        ].join('\n'),
      })),
      expect: ['01-activations', '02-weight-init', '03-batchnorm', '04-groupnorm', '06-mean-image', '07-babysitting', '08-hyperparameter-search', '09-pca-whitening', '10-prelu-maxout'].map((exercise): Expectation => ({ exercise, outcome: 'pass' })),
    },
    {
      name: 'hostile-second-block',
      description:
        "exercises 07–10: a trainer driven with bad step numbers, kept for a later test and its log stuffed with 20,000 entries; a sampler that throws on the 250th draw from one generator (in the middle of the 500 repeated calls); a fit's components zeroed in place; caches kept as class instances and gradients returned as views into 32 MB buffers (both fine)",
      edits: [
        {
          kind: 'prologue',
          exercise: '07-babysitting',
          fn: 'overfitSmallData',
          code: [
            '{',
            '  const g = globalThis as unknown as { kept?: OverfitTrainer };',
            '  try { g.kept?.step(1); } catch { /* the trainer of an earlier test */ }',
            '  g.kept = trainer;',
            "  for (const s of [0.5, -1, NaN, '2']) { try { trainer.accuracy(s as number); } catch { /* RangeError: not a step number */ } }",
            "  const log = (trainer as unknown as { calls: string[] }).calls;",
            "  for (let i = 0; i < 20_000; i++) log.push('accuracy 1');",
            '}',
          ].join('\n  '),
        },
        {
          kind: 'prologue',
          exercise: '08-hyperparameter-search',
          fn: 'logUniform',
          code: [
            '{',
            '  const g = globalThis as unknown as { draws?: WeakMap<object, number> };',
            '  g.draws ??= new WeakMap();',
            '  const n = (g.draws.get(rng) ?? 0) + 1;',
            '  g.draws.set(rng, n);',
            "  if (n === 250) throw new RangeError('logUniform: the 250th draw from one generator');",
            '}',
          ].join('\n  '),
        },
        { kind: 'prologue', exercise: '09-pca-whitening', fn: 'whiten', code: '(fit.components.data as Float64Array).fill(0);' },
        { kind: 'top', exercise: '10-prelu-maxout', code: 'class KeptCache {\n  constructor(readonly x: Tensor, readonly alpha: Tensor) {}\n}' },
        {
          kind: 'replace',
          exercise: '10-prelu-maxout',
          find: 'cache: { x: { shape: [...x.shape], data: x.data.slice() }, alpha: { shape: [C], data: alpha.data.slice() } } };',
          replacement: 'cache: new KeptCache({ shape: [...x.shape], data: x.data.slice() }, { shape: [C], data: alpha.data.slice() }) };',
        },
        {
          kind: 'replace',
          exercise: '10-prelu-maxout',
          find: 'return { dx: { shape: [N, D], data: dx }, dW: { shape: [k, D, M], data: dW }, db: { shape: [k, M], data: db } };',
          replacement: [
            'const big = new Float64Array(4_000_000);',
            '  big.set(dW, 1_000);',
            '  return { dx: { shape: [N, D], data: dx }, dW: { shape: [k, D, M], data: big.subarray(1_000, 1_000 + dW.length) }, db: { shape: [k, M], data: db } };',
          ].join('\n'),
        },
      ],
      expect: [
        { exercise: '07-babysitting', outcome: 'fn-fails', fn: 'overfitSmallData', category: 'output', reason: /^overfitSmallData returned more than 10,000 values in arrays and objects/, every: true },
        { exercise: '08-hyperparameter-search', outcome: 'fn-fails', fn: 'logUniform', category: 'threw', reason: /RangeError: logUniform: the 250th draw from one generator/ },
        { exercise: '09-pca-whitening', outcome: 'fn-fails', fn: 'whiten', category: 'mutation', reason: /^whiten changed its argument 2/, every: true },
        { exercise: '10-prelu-maxout', outcome: 'pass' },
        { exercise: '01-activations', outcome: 'pass' },
      ],
    },
    {
      name: 'bends-the-trusted-side',
      description:
        "work and changes on the trusted side: a dout zeroed in place (written back, it made every gradient check pass), a shape of 200,000 numbers (vitest formatted it whole for each failed test, uncounted) and two million draws from the test's generator (replayed here)",
      edits: [
        { kind: 'prologue', exercise: '02-weight-init', fn: 'heInit', code: 'for (let i = 0; i < 2_000_000; i++) rng.uniform();' },
        {
          kind: 'prologue',
          exercise: '03-batchnorm',
          fn: 'batchnormBackward',
          code: '{ dout.data.fill(0); const k = cache.gamma.shape[0]!; return { dx: { shape: [...dout.shape], data: new Float64Array(dout.data.length) }, dgamma: { shape: [k], data: new Float64Array(k) }, dbeta: { shape: [k], data: new Float64Array(k) } }; }',
        },
        { kind: 'prologue', exercise: '04-groupnorm', fn: 'layernormForward', code: 'return { out: { shape: new Array(200_000).fill(1), data: x.data }, cache: {} as never };' },
      ],
      expect: [
        { exercise: '02-weight-init', outcome: 'fn-fails', fn: 'heInit', category: 'output', reason: /heInit drew more than 1,000,000 numbers from a generator/ },
        { exercise: '03-batchnorm', outcome: 'fn-fails', fn: 'batchnormBackward', category: 'mutation', reason: /batchnormBackward changed its argument 1/, every: true },
        { exercise: '04-groupnorm', outcome: 'fn-fails', fn: 'layernormForward', category: 'output', reason: /layernormForward returned more than 10,000 values in arrays and objects/ },
        { exercise: '01-activations', outcome: 'pass' },
        { exercise: '06-mean-image', outcome: 'pass' },
      ],
    },
    {
      name: 'broken-sources',
      description: 'a syntax error, a missing export, type errors that still run, NaN, wrong shapes, wrong kinds, helper modules and a missing exercise',
      edits: [
        { kind: 'end', exercise: '01-activations', code: 'export function broken( {' },
        { kind: 'replace', exercise: '02-weight-init', find: 'export function heInit(', replacement: 'export function heInitialization(' },
        { kind: 'end', exercise: '03-batchnorm', code: "const typeError: number = 'a string';\nexport const alsoWrong: string = 42;\nvoid typeError;" },
        { kind: 'replace', exercise: '04-groupnorm', find: 'export function layernormForward(', replacement: 'function layernormForwardReal(' },
        {
          kind: 'end',
          exercise: '04-groupnorm',
          code: [
            '// A helper module of the student, and an import of their own other exercise.',
            "import { nanOf } from './helpers/nan.ts';",
            "import { batchnormForward as unused } from '../03-batchnorm/batchnorm.ts';",
            'void unused;',
            'export function layernormForward(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): LayernormResult {',
            '  const real = layernormForwardReal(x, gamma, beta, eps);',
            '  return { out: { shape: real.out.shape, data: Float64Array.from(nanOf(real.out.data.length)) }, cache: real.cache };',
            '}',
          ].join('\n'),
        },
        { kind: 'add', exercise: '04-groupnorm', file: 'helpers/nan.ts', text: 'export const nanOf = (n: number): number[] => Array.from({ length: n }, () => NaN);\n' },
        { kind: 'prologue', exercise: '05-gradient-check', fn: 'numericalGradient', code: 'return { shape: [1, 2, 3], data: new Float64Array(6) };' },
        { kind: 'remove', exercise: '06-mean-image' },
      ],
      expect: [
        { exercise: '01-activations', outcome: 'all-fail', category: 'compile' },
        { exercise: '02-weight-init', outcome: 'fn-fails', fn: 'heInit', category: 'missing-export', reason: /has no export named heInit/ },
        { exercise: '03-batchnorm', outcome: 'pass' },
        { exercise: '04-groupnorm', outcome: 'fn-fails', fn: 'layernormForward', category: 'nonfinite' },
        { exercise: '05-gradient-check', outcome: 'fn-fails', fn: 'numericalGradient', category: 'shape' },
        { exercise: '06-mean-image', outcome: 'all-fail', category: 'not-submitted' },
      ],
    },
  ];
}

/** The SubmissionError a sandbox call raised; anything else (another error, no error) fails the test. */
export function failure(run: () => unknown): SubmissionError {
  try {
    run();
  } catch (error) {
    if (error instanceof SubmissionError) return error;
    throw new Error(`expected a SubmissionError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}
