/**
 * `npm run train` as a student runs it in the student kit: no solutions/ to fall back on, the
 * network built from whatever exercises/ holds. Each test lays out a small kit in a temp folder
 * (lib/ linked, exercises/ a mix of stubs, finished and mistaken files) and runs the trainer on it.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { defaultImplementation, PARTS, type Part } from './building-blocks.ts';
import { main, ROOT, type Io } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradlab-kit-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in for a stub, as the student kit ships it: every exported function throws the kit's
 * NotImplementedError (built from the reference, so that it also works on the solutions branch).
 */
function stubOf(solution: string, file: string): string {
  const names = [...solution.matchAll(/^export function (\w+)/gm)].map((m) => m[1]!);
  return [
    "import { NotImplementedError } from '../../lib/index.ts';",
    ...names.map((name) => `export function ${name}(): never {\n  throw new NotImplementedError('${name}', '${file}');\n}`),
    '',
  ].join('\n');
}

type State = 'stub' | 'done' | { done: true; edit: [string, string] };

/** A kit laid out like the student release, each exercise file a stub, the reference, or an edited reference. */
function kit(name: string, states: Partial<Record<Part, State>>): string {
  const root = join(dir, name);
  mkdirSync(root);
  symlinkSync(join(ROOT, 'lib'), join(root, 'lib'));
  for (const [part, { exercise, file }] of Object.entries(PARTS) as [Part, (typeof PARTS)[Part]][]) {
    mkdirSync(join(root, 'exercises', exercise), { recursive: true });
    const state = states[part] ?? 'stub';
    let source = readFileSync(join(ROOT, 'solutions', exercise, file), 'utf8');
    if (state === 'stub') {
      writeFileSync(join(root, 'exercises', exercise, file), stubOf(source, `exercises/${exercise}/${file}`));
      continue;
    }
    if (typeof state === 'object') {
      expect(source, `the edit applies to solutions/${exercise}/${file}`).toContain(state.edit[0]);
      source = source.replace(state.edit[0], state.edit[1]);
    }
    writeFileSync(join(root, 'exercises', exercise, file), source);
  }
  return root;
}

async function train(root: string, ...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), progress: null };
  const code = await main(['--limit', '300', '--hidden', '32', '--augment', '0', '--batch', '50', '--epochs', '1', '--threads', '1', ...args], io, root);
  return { code, out, err };
}

describe('npm run train in the student kit', { timeout: 30_000 }, () => {
  test('defaults to the exercises where the kit has no solutions/, to the reference where it has', () => {
    const root = kit('default', {});
    expect(defaultImplementation(root)).toBe('exercises');
    expect(defaultImplementation(ROOT)).toBe(existsSync(join(ROOT, 'solutions')) ? 'solutions' : 'exercises');
  });

  test('untouched stubs: each part it needs names its exercise and says how to train without it', async () => {
    const root = kit('stubs', {});
    const r = await train(root, '--out', join(dir, 'stubs-run'));
    expect(r.code).toBe(1);
    expect(r.out[0]).toBe('implementation: your exercises (exercises/)');
    const at = (name: string): string[] => r.out.slice(r.out.findIndex((l) => l.startsWith(`  ✗ ${name} `))).slice(0, 2);
    expect(at('reluForward / reluBackward')).toEqual([
      '  ✗ reluForward / reluBackward (01-activations): not implemented yet: reluForward (exercises/01-activations/activations.ts)',
      '      → finish exercise 01-activations (npm test exercises/01-activations): the network cannot train without it',
    ]);
    expect(at('batchnormForward / batchnormBackward')[1]).toBe('      → finish exercise 03-batchnorm (npm test exercises/03-batchnorm), or train without it: --norm none');
    expect(at('heInit')[1]).toBe('      → finish exercise 02-weight-init (npm test exercises/02-weight-init): the network cannot train without it');
    expect(at('preprocess')[1]).toBe('      → finish exercise 06-mean-image (npm test exercises/06-mean-image), or train without it: --center none');
    expect(r.err).toEqual(['train: the 4 parts marked ✗ above are not ready: see the → lines for what to do']);
  });

  test('exercises 01 and 02 done: trains with --norm none --center none, and the report names the student files', async () => {
    const root = kit('early', { activations: 'done', weightInit: 'done' });
    const out = join(dir, 'early-run');
    const r = await train(root, '--norm', 'none', '--center', 'none', '--out', out);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.startsWith('  ✓'))).toEqual([
      '  ✓ reluForward / reluBackward (01-activations): runs, and its backward pass agrees with a numerical gradient of its forward pass',
      '  ✓ heInit (02-weight-init): runs and returns finite values of the right shapes',
    ]);
    expect(r.out.find((l) => l.startsWith('data:'))).toContain('not centred (--center none)');
    expect(r.out.find((l) => l.startsWith('model:'))).toContain('built from your exercises (exercises/)');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Built from');
    expect(html).toContain(join('exercises', '01-activations', 'activations.ts'));
    expect(html).toContain('none (--center none)');
    expect(html).toContain('the kit (network/)');
  });

  test('a missing activation offers the ones that are done', async () => {
    const root = kit('relu-only', {
      activations: { done: true, edit: ['export function eluForward(x: Tensor, alpha = 1): ActivationResult<EluCache> {', "export function eluForward(x: Tensor, alpha = 1): ActivationResult<EluCache> {\n  throw new NotImplementedError('eluForward', 'exercises/01-activations/activations.ts');"] },
      weightInit: 'done',
    });
    writeFileSync(
      join(root, 'exercises/01-activations/activations.ts'),
      `import { NotImplementedError } from '../../lib/index.ts';\n${readFileSync(join(root, 'exercises/01-activations/activations.ts'), 'utf8')}`,
    );
    const r = await train(root, '--activation', 'elu', '--norm', 'none', '--center', 'none');
    expect(r.code).toBe(1);
    expect(r.out).toContain('      → finish exercise 01-activations (npm test exercises/01-activations), or train without it: --activation relu|leakyRelu|tanh|sigmoid');
  });

  test('a batch norm backward that forgets the paths through μ and σ² is flagged, and training goes on', async () => {
    const root = kit('bn-wrong', {
      activations: 'done',
      weightInit: 'done',
      meanImage: 'done',
      batchnorm: { done: true, edit: ['dx[k] = dxhat[k]! * invStd.data[d]! + (2 / N) * xmu.data[k]! * dvar[d]!;', 'dx[k] = dxhat[k]! * invStd.data[d]!;\n      void dvar;'] },
    });
    const r = await train(root, '--out', join(dir, 'bn-wrong-run'));
    expect(r.code).toBe(0);
    const flagged = r.out.find((l) => l.startsWith('  ! batchnormForward / batchnormBackward'));
    expect(flagged).toMatch(/\(03-batchnorm\): dx disagrees with a numerical gradient of your forward pass \(relative error \d\.\de[-+]\d+\)$/);
    expect(r.out).toContain('  (training anyway: the parts marked ! fail a check, so watch the loss)');
  });

  test('--sanity runs the student\'s gradient check and babysitting checks, and asks for exercises 05 and 07 while they are stubs', async () => {
    const done = { activations: 'done', weightInit: 'done', meanImage: 'done', batchnorm: 'done' } as const;
    const without = await train(kit('sanity-stub', done), '--sanity', '--epochs', '0');
    expect(without.code).toBe(1);
    expect(without.out).toContain('      → finish exercise 05-gradient-check (npm test exercises/05-gradient-check), or train without it: leave out --sanity');
    expect(without.out).toContain('      → finish exercise 07-babysitting (npm test exercises/07-babysitting), or train without it: leave out --sanity');
    const r = await train(kit('sanity-done', { ...done, gradientCheck: 'done', babysitting: 'done' }), '--sanity', '--epochs', '0', '--out', join(dir, 'sanity-run'));
    expect(r.out).toContain('  ✓ gradCheckSparse (05-gradient-check): runs, and passes a correct gradient (Σ x³ against 3x²) with a tiny relative error');
    expect(r.out.find((l) => l.includes('analytic gradients match numerical ones'))).toMatch(/^ {2}PASS {2}analytic gradients match numerical ones: \d+ random entries \(6 per parameter\), gradCheckSparse with h = 1e-5/);
    expect(r.code).toBe(0);
  });

  test('exercises 07, 08 and 10 are needed only by their flags, and a stub of one names its exercise and the flag to leave out', async () => {
    const done = { activations: 'done', weightInit: 'done', meanImage: 'done', batchnorm: 'done', gradientCheck: 'done' } as const;
    const root = kit('lecture-stubs', done);
    const sanity = await train(root, '--sanity', '--epochs', '0');
    expect(sanity.code).toBe(1);
    const at = sanity.out.findIndex((l) => l.startsWith('  ✗ checkInitialLoss / '));
    expect(sanity.out[at]).toMatch(/^ {2}✗ checkInitialLoss \/ .* \(07-babysitting\): not implemented yet: \w+ \(exercises\/07-babysitting\/babysitting\.ts\)$/);
    expect(sanity.out[at + 1]).toBe('      → finish exercise 07-babysitting (npm test exercises/07-babysitting), or train without it: leave out --sanity');
    const search = await train(root, '--search', '2', '--search-size', '100', '--epochs', '0');
    expect(search.code).toBe(1);
    expect(search.out).toContain('      → finish exercise 08-hyperparameter-search (npm test exercises/08-hyperparameter-search), or train without it: leave out --search');
    const prelu = await train(root, '--activation', 'prelu', '--epochs', '0');
    expect(prelu.code).toBe(1);
    expect(prelu.out).toContain('      → finish exercise 10-prelu-maxout (npm test exercises/10-prelu-maxout), or train without it: --activation relu|leakyRelu|elu|tanh|sigmoid');
    // Without those flags the same kit trains: 07, 08 and 10 are not even loaded.
    expect((await train(root, '--epochs', '0', '--out', join(dir, 'lecture-stubs-run'))).code).toBe(0);
  });

  test('with 07, 08 and 10 done, --sanity, --search and --activation maxout run the student\'s own code', async () => {
    const root = kit('lecture-done', { activations: 'stub', weightInit: 'done', meanImage: 'done', batchnorm: 'done', gradientCheck: 'done', babysitting: 'done', search: 'done', learned: 'done' });
    const out = join(dir, 'lecture-done-run');
    const r = await train(root, '--activation', 'maxout', '--sanity', '--search', '2', '--search-size', '100', '--out', out);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => /^ {2}✓ .*\((07|08|10)-/.test(l)).map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      '  ✓ maxoutForward / maxoutBackward (10-prelu-maxout)',
      '  ✓ checkInitialLoss / checkRegularization / overfitSmallData / updateToWeightRatio / updateRatioVerdict / diagnoseTraining (07-babysitting)',
      '  ✓ randomSearch / rankTrials / coarseToFine (08-hyperparameter-search)',
    ]);
    expect(r.out.some((l) => l.includes('(01-activations)')), 'maxout needs no activation of exercise 01').toBe(false);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const f of ['07-babysitting', '08-hyperparameter-search', '10-prelu-maxout']) expect(html).toContain(join('exercises', f));
  });

  test('--impl solutions in a kit without solutions/ is one clear line', async () => {
    const r = await train(kit('no-solutions', {}), '--impl', 'solutions');
    expect(r.err).toEqual(['train: --impl solutions: this copy of the kit has no reference solutions; train your own with --impl exercises']);
    expect(r.code).toBe(1);
    expect(readdirSync(join(dir, 'no-solutions'))).not.toContain('solutions');
  });
});
