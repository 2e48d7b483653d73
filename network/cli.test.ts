/**
 * The trainer as a user runs it: real digits, small and fast settings. `main` runs in-process with
 * its output captured; one test spawns the real entry point to check exit codes and stderr.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { main, ROOT, type Io } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradlab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the trainer in-process; returns its exit code and what it printed. */
async function train(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), progress: null };
  const code = await main([...args, '--threads', '1'], io);
  return { code, out, err };
}

const SMALL = ['--limit', '600', '--hidden', '64', '--augment', '0', '--batch', '50'];
const percentAfter = (lines: string[], label: RegExp): number => Number(lines.find((l) => label.test(l))?.match(/(\d+\.\d)%/)?.[1] ?? NaN);

// Each test trains a real (small) network; on a busy 2-core machine that can take a few seconds.
describe('npm run train', { timeout: 20_000 }, () => {
  test('train › trains on real digits: a line per epoch, test accuracy far above chance, a report and metrics', async () => {
    const out = join(dir, 'run');
    const r = await train(...SMALL, '--epochs', '2', '--out', out);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => /^epoch 1\/2 +loss \d\.\d{4} +train \d+\.\d% +val \d+\.\d% +lr 2\.0e-3/.test(l))).toHaveLength(1);
    expect(r.out.some((l) => l.startsWith('epoch 2/2'))).toBe(true);
    expect(percentAfter(r.out, /^test accuracy/)).toBeGreaterThan(70);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { valAcc: number[]; loss: number[] };
    expect(metrics.valAcc).toHaveLength(3);
    expect(metrics.loss).toHaveLength(2 * 12);
  });

  test('train › is deterministic for a seed, and another seed gives other numbers', async () => {
    const run = async (seed: string) => (await train(...SMALL, '--epochs', '1', '--augment', '2', '--dropout', '0.8', '--seed', seed, '--out', join(dir, `seed-${seed}`))).out.filter((l) => l.startsWith('epoch') || l.startsWith('test')).map((l) => l.replace(/ +[\d.]+ s +[\d,]+ samples\/s/, ''));
    const a = await run('5');
    expect(await run('5')).toEqual(a);
    expect(await run('6')).not.toEqual(a);
  });

  test('train › --save, then --resume --eval gives the saved test accuracy, and --resume --epochs continues', async () => {
    const ckpt = join(dir, 'model.json');
    const first = await train(...SMALL, '--epochs', '1', '--save', ckpt, '--out', join(dir, 'save'));
    expect(first.code).toBe(0);
    const evaluated = await train('--resume', ckpt, '--eval');
    expect(evaluated.code).toBe(0);
    expect(percentAfter(evaluated.out, /^test accuracy/)).toBe(percentAfter(first.out, /^test accuracy/));
    const resumed = await train('--resume', ckpt, '--epochs', '2', '--out', join(dir, 'resumed'));
    expect(resumed.code).toBe(0);
    expect(resumed.out.some((l) => l.startsWith('resumed from') && l.includes('at epoch 1'))).toBe(true);
    expect(resumed.out.some((l) => l.startsWith('epoch 2/2'))).toBe(true);
    expect(resumed.out.some((l) => l.startsWith('epoch 1/2'))).toBe(false);
  });

  test('train › --sanity prints a pass line for each of the four checks before training', async () => {
    const r = await train(...SMALL, '--sanity', '--epochs', '0', '--out', join(dir, 'sanity'));
    const checks = r.out.filter((l) => /^ {2}(PASS|FAIL) /.test(l));
    expect(checks.map((l) => l.slice(2, 6))).toEqual(['PASS', 'PASS', 'PASS', 'PASS']);
    expect(r.out).toContain('sanity: 4/4 passed');
    expect(r.code).toBe(0);
  });

  test('train › --sanity fails the overfitting check, and stops, when the learning rate is far too small', async () => {
    const r = await train(...SMALL, '--sanity', '--optim', 'sgd', '--lr', '1e-9', '--norm', 'none', '--out', join(dir, 'sanity-bad'));
    expect(r.out.some((l) => l.startsWith('  FAIL  overfits 50 training samples'))).toBe(true);
    expect(r.code).toBe(1);
    expect(r.out.some((l) => l.startsWith('epoch'))).toBe(false);
  });

  test('train › --sanity with training reads the curves at the end (exercise 07), from a folder of exercise files too', async () => {
    const r = await train(...SMALL, '--sanity', '--search', '2', '--search-size', '200', '--epochs', '1', '--impl', join(ROOT, 'solutions'), '--out', join(dir, 'diagnosis'));
    expect(r.code).toBe(0);
    expect(r.out.find((l) => l.startsWith('  PASS  overfits'))).toMatch(/update\/weight ratios of step 1: W1 \S+ \((too-low|healthy|too-high)\)/);
    expect(r.out.some((l) => /^diagnosis: (healthy|lr-too-high|lr-too-low|bad-init|overfitting) \(loss \d\.\d{3} → \d\.\d{3}/.test(l))).toBe(true);
  });

  test.for(['prelu', 'maxout'])('train › --activation %s trains a fully connected net with an activation that learns (exercise 10)', async (activation) => {
    const r = await train(...SMALL, '--activation', activation, '--epochs', '1', '--out', join(dir, activation));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.find((l) => l.startsWith('model:'))).toContain(`· ${activation} ·`);
    expect(percentAfter(r.out, /^test accuracy/)).toBeGreaterThan(60);
  });

  test('train › --search N runs N trials, coarse then fine, ranks them and trains the best', async () => {
    const r = await train(...SMALL, '--search', '4', '--search-size', '300', '--epochs', '1', '--out', join(dir, 'search'));
    expect(r.code).toBe(0);
    const trials = r.out.filter((l) => /^ {2}trial \d\/4 +(coarse|fine) +lr \S+ +reg \S+ +val \d+\.\d%$/.test(l));
    expect(trials.map((l) => /coarse|fine/.exec(l)![0])).toEqual(['coarse', 'coarse', 'fine', 'fine']);
    const ranked = r.out.slice(r.out.indexOf('ranked:') + 2, r.out.indexOf('ranked:') + 6).map((l) => Number(/(\d+\.\d)%$/.exec(l)![1]));
    expect(ranked).toEqual([...ranked].sort((a, b) => b - a));
    const bestLr = Number(/^best: lr (\S+),/.exec(r.out.find((l) => l.startsWith('best: lr'))!)![1]);
    expect(r.out.some((l) => l.startsWith(`training: adam lr ${bestLr.toExponential(1)} `))).toBe(true);
    expect(readFileSync(join(dir, 'search', 'report.html'), 'utf8')).toContain('data-chart="scatter"');
  });

  test('train › --model conv trains the ConvNet with group norm', async () => {
    const r = await train('--model', 'conv', '--conv', '4,4', '--limit', '300', '--epochs', '1', '--batch', '20', '--lr', '5e-3', '--augment', '0', '--out', join(dir, 'conv'));
    expect(r.code).toBe(0);
    expect(r.out.find((l) => l.startsWith('model:'))).toContain('groupnorm G=4');
    expect(percentAfter(r.out, /^test accuracy/)).toBeGreaterThan(30);
  }, 30_000);

  test('train › --data cifar10 reads a folder in the binary format', async () => {
    const cifar = join(dir, 'cifar');
    mkdirSync(cifar);
    const batch = (count: number, offset: number): Buffer =>
      Buffer.concat(Array.from({ length: count }, (_, n) => Buffer.from(Uint8Array.from({ length: 3073 }, (_, i) => (i === 0 ? (n + offset) % 10 : (i * (n + offset + 3)) % 256)))));
    for (let b = 1; b <= 5; b++) writeFileSync(join(cifar, `data_batch_${b}.bin`), batch(20, b * 20));
    writeFileSync(join(cifar, 'test_batch.bin'), batch(20, 0));
    const r = await train('--data', 'cifar10', '--path', cifar, '--hidden', '16', '--epochs', '1', '--batch', '20', '--center', 'channel', '--out', join(dir, 'cifar-run'));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('data: cifar10 · 80 train / 20 val / 20 test · 32×32×3 · centred on the channel means');
  });

  test('train › --impl builds the network from exercise files: stubs are reported by name, finished files train', async () => {
    // In the instructor repository exercises/ holds the stubs; on a release's solutions branch it
    // holds the finished files, and --impl exercises must then train.
    const stubbed = readFileSync(join(ROOT, 'exercises', '01-activations', 'activations.ts'), 'utf8').includes('throw new NotImplementedError(');
    const own = await train(...SMALL, '--impl', 'exercises', '--epochs', '1', '--out', join(dir, 'impl-exercises'));
    if (stubbed) {
      expect(own.code).toBe(1);
      expect(own.out).toContain('  ✗ reluForward / reluBackward (01-activations): not implemented yet: reluForward (exercises/01-activations/activations.ts)');
      expect(own.err[0]).toMatch(/^train: the \d parts marked ✗ above are not ready: see the → lines for what to do$/);
    } else {
      expect(own.code).toBe(0);
    }
    // A folder laid out like exercises/ (here: the reference files themselves, loaded as a submission).
    const finished = await train(...SMALL, '--impl', join(ROOT, 'solutions'), '--epochs', '1', '--out', join(dir, 'impl-ok'));
    expect(finished.code).toBe(0);
    expect(finished.out.filter((l) => l.startsWith('  ✓'))).toHaveLength(4);
    expect(finished.out.find((l) => l.startsWith('model:'))).toContain('built from the submission in');
  });

  test.for([
    { id: 'unknown flag', args: ['--bogus'], message: 'train: unknown flag --bogus (see --help)', code: 2 },
    { id: 'bad number', args: ['--lr', 'fast'], message: "train: --lr must be a number, got 'fast'", code: 2 },
    { id: 'bad choice', args: ['--optim', 'lbfgs'], message: "train: --optim must be one of sgd, sgdMomentum, nesterov, rmsprop, adam, got 'lbfgs'", code: 2 },
    { id: 'missing value', args: ['--epochs'], message: 'train: --epochs needs a value (see --help)', code: 2 },
    { id: 'cifar without path', args: ['--data', 'cifar10'], message: 'train: --data cifar10 needs --path <folder with data_batch_1.bin … test_batch.bin>', code: 2 },
    { id: 'missing cifar folder', args: ['--data', 'cifar10', '--path', '/no/such/folder'], message: 'train: CIFAR-10 folder not found: /no/such/folder', code: 1 },
    { id: 'missing checkpoint', args: ['--resume', '/no/such.json', '--eval'], message: 'train: checkpoint not found: /no/such.json', code: 1 },
    { id: 'learned activation in a ConvNet', args: ['--model', 'conv', '--activation', 'maxout'], message: 'train: --activation maxout is for --model fc', code: 2 },
    { id: 'groups do not divide filters', args: ['--model', 'conv', '--groups', '3', '--limit', '50'], message: "train: ConvNet: 'groups' = 3 must divide the 16 filters of block 0", code: 2 },
  ])('train › $id: one clear line on stderr, no stack, exit code $code', async ({ args, message, code }) => {
    const r = await train(...args);
    expect(r.err).toEqual([message]);
    expect(r.code).toBe(code);
  });

  test('train.ts › the real entry point exits non-zero with one line and no stack trace', async () => {
    const run = promisify(execFile);
    const failure = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'network/train.ts'), '--batch', '0'], { cwd: ROOT }).catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect(failure).toMatchObject({ code: 2, stdout: '' });
    expect((failure as { stderr: string }).stderr).toBe('train: --batch must be ≥ 1, got 0\n');
  });
});
