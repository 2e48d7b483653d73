/**
 * The sandbox protocol, call by call: what crosses and how (data copied, behaviour kept behind
 * handles, generators replicated, callbacks, mutations written back), and how every kind of
 * misbehaviour comes back as an error naming the function and the reason. A small submission of
 * probe functions is prepared once; the calls go through the same Session the proxies use.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '../sandbox/tracked-random.ts';
import { closeSessions, SandboxValue, sessionFor, SubmissionError } from '../sandbox/client.ts';
import { MANIFEST_ENV } from '../sandbox/manifest.ts';
import { cleanupWorkDir, prepareRun, prepareSubmission, type PreparedRun } from '../sandbox/prepare.ts';
import { ROOT } from './corpus.ts';

/**
 * Tries the network while loading, with top-level awaits that let the event loop run (so a
 * connection would really be made if an import got through); `dialed` lists what was reachable.
 */
const dialModule = (port: number): string => `
export const dialed: string[] = [];
for (const specifier of ['node:net', 'node:http', 'node:https', 'node:dgram', 'node:tls', 'node:worker_threads', 'node:child_process']) {
  try {
    const m = (await import(specifier)) as { connect?: (port: number, host: string) => unknown; get?: (url: string) => unknown };
    dialed.push(specifier);
    m.connect?.(${port}, '127.0.0.1');
    m.get?.('http://127.0.0.1:${port}/');
  } catch {
    /* refused */
  }
}
await new Promise((resolve) => setTimeout(resolve, 150));
`;

const PROBES = `
import { createRng, type Tensor } from '../../lib/index.ts';
import { helper } from './helpers/util.ts';
import { dialed } from './helpers/dial.ts';

export class Counter {
  constructor(public count: number) {}
  next(): number { return ++this.count; }
}

export function echo(value: unknown): unknown { return value; }
export function viaHelper(n: number): number { return helper(n); }
export function mutates(t: Tensor & { shape: number[] }): number { t.data[0] = 42; t.shape.push(1); return t.data.length; }
export function mutatesThenThrows(t: Tensor): never { t.data[0] = -1; throw new RangeError('mutatesThenThrows: after the damage'); }
export function withClosure(x: Tensor) { const first = x.data[0]!; return { out: x, cache: { read: () => first } }; }
export function useClosure(cache: { read: () => number }): number { return cache.read() * 2; }
export function makeCounter(): Counter { return new Counter(3); }
export function bump(counter: Counter): number { return counter.next(); }
export function asyncResult(): Promise<number> { return Promise.resolve(1); }
export function proxyResult(): unknown { return new Proxy({}, { get: () => { throw new Error('trap'); } }); }
export function throwingGetter(): unknown { return { get out() { throw new Error('getter'); } }; }
export function symbolResult(): unknown { return { s: Symbol('x'), n: 1 }; }
export function huge(): Float64Array { return new Float64Array(9_000_000); }
export function callsBack(f: (i: number) => number, n: number): number { let s = 0; for (let i = 0; i < n; i++) s += f(i); return s; }
export function identityBack(f: (t: Tensor) => Tensor): boolean[] { const x = { shape: [1], data: Float64Array.of(1) }; const y = f(x); return [y === x, y.data === x.data]; }
export function draws(rng: { uniform(): number }, n: number): number[] { return Array.from({ length: n }, () => rng.uniform()); }
export function ownRng(seed: string): number { return createRng(seed).uniform(); }
class ShapeError extends RangeError { override name = 'ShapeError'; }
export function throwsCustom(): never { throw new ShapeError("throwsCustom: 'x' must have shape [2], got [3]"); }
export function throwsHostile(): never { throw { get message() { throw new Error('no'); } }; }
export function notImplemented(): never { const e = new Error('not implemented yet: probe'); e.name = 'NotImplementedError'; throw e; }
export function exits(): never { process.exit(7); }
export function loops(): never { for (;;) {} }
export function readsOutside(path: string): string { return String(require_fs().readFileSync(path, 'utf8')).slice(0, 10); }
export function killsParent(): void { process.kill(process.ppid, 'SIGKILL'); }
export function usesEval(): unknown { return eval('1 + 1'); }
export function hasFetch(): string { return typeof (globalThis as { fetch?: unknown }).fetch; }
export function dialsOut(): string[] {
  const reached = [...dialed];
  try { (process as unknown as { binding(name: string): unknown }).binding('tcp_wrap'); reached.push('process.binding'); } catch { /* denied */ }
  for (const name of ['fetch', 'WebSocket', 'EventSource']) if (typeof (globalThis as Record<string, unknown>)[name] !== 'undefined') reached.push(name);
  return reached;
}
export function prints(n: number): number { process.stdout.write('x'.repeat(n)); return n; }
export const answer = 42;
import * as fs from 'node:fs';
function require_fs() { return fs; }
`;

let run: PreparedRun | undefined;
let dir = '';
/** A loopback server the probes try to reach; it counts what it accepts. */
const server = createServer((socket) => {
  connections++;
  socket.destroy();
});
let connections = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dir = mkdtempSync(join(tmpdir(), 'gradlab-probes-'));
  mkdirSync(join(dir, '03-batchnorm', 'helpers'), { recursive: true });
  writeFileSync(join(dir, '03-batchnorm', 'batchnorm.ts'), PROBES);
  writeFileSync(join(dir, '03-batchnorm', 'helpers', 'dial.ts'), dialModule((server.address() as AddressInfo).port));
  writeFileSync(join(dir, '03-batchnorm', 'helpers', 'util.ts'), 'export const helper = (n: number): number => n + 1;\n');
  mkdirSync(join(dir, '06-mean-image'), { recursive: true });
  writeFileSync(join(dir, '06-mean-image', 'mean-image.ts'), "import { execSync } from 'node:child_process';\nexport const meanImage = () => execSync('id');\n");
  for (const [exercise, file, text] of [
    ['04-groupnorm', 'groupnorm.ts', 'for (;;) {}\nexport function layernormForward(): number { return 1; }\n'],
    ['05-gradient-check', 'gradient-check.ts', 'process.exit(1);\nexport function relError(): number { return 0; }\n'],
    ['01-activations', 'activations.ts', "import { helper } from './missing.ts';\nexport function sigmoidForward(): number { return helper; }\n"],
    ['02-weight-init', 'weight-init.ts', 'export function xavierInit(: number {\n'],
  ] as const) {
    mkdirSync(join(dir, exercise), { recursive: true });
    writeFileSync(join(dir, exercise, file), text);
  }
  run = prepareRun({ root: ROOT, limits: { callMs: 1000, loadMs: 800, outputBytes: 100_000 } });
  process.env[MANIFEST_ENV] = prepareSubmission(run, dir, 'probe', 1).manifestPath;
});

afterAll(() => {
  server.close();
  closeSessions();
  delete process.env[MANIFEST_ENV];
  if (run) cleanupWorkDir(run.workDir);
  rmSync(dir, { recursive: true, force: true });
});

const call = (fn: string, ...args: unknown[]): unknown => sessionFor('03-batchnorm').call('batchnorm.ts', fn, args);

function failure(run: () => unknown): SubmissionError {
  try {
    run();
  } catch (error) {
    if (error instanceof SubmissionError) return error;
    throw new Error(`expected a SubmissionError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

describe('what crosses', () => {
  test('tensors, nested data, NaN and -0 come back as they went', () => {
    const value = { t: { shape: [2], data: Float64Array.of(NaN, -0) }, list: [1, 'two', null, [3]], nested: { deep: { er: true } } };
    expect(call('echo', value)).toEqual(value);
    expect(Object.is((call('echo', value) as typeof value).t.data[1], -0)).toBe(true);
  });

  test("the submission's own helper modules and lib/ load", () => {
    expect(call('viaHelper', 1)).toBe(2);
    expect(typeof call('ownRng', 'seed')).toBe('number');
  });

  test('a mutation of an argument is written back to the caller\'s object', () => {
    const t = { shape: [3], data: Float64Array.of(1, 2, 3) };
    call('mutates', t);
    expect(t.data[0]).toBe(42);
    expect(t.shape).toEqual([3, 1]);
    const u = { shape: [1], data: Float64Array.of(5) };
    expect(() => call('mutatesThenThrows', u)).toThrow(RangeError);
    expect(u.data[0], 'also when the function throws afterwards').toBe(-1);
  });

  test('a closure in a cache stays in the sandbox and works when passed back', () => {
    const { cache } = call('withClosure', { shape: [1], data: Float64Array.of(5) }) as { cache: { read: unknown } };
    expect(cache.read).toBeInstanceOf(SandboxValue);
    expect(call('useClosure', cache)).toBe(10);
  });

  test('a class instance is readable as data and keeps its methods in the sandbox', () => {
    const counter = call('makeCounter') as { count: number };
    expect(counter.count).toBe(3);
    expect(call('bump', counter)).toBe(4);
    expect(call('bump', counter)).toBe(5);
  });

  test('a function argument is called back on the trusted side', () => {
    const seen: number[] = [];
    expect(call('callsBack', (i: number) => (seen.push(i), i * i), 5)).toBe(30);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  test("a callback that returns its argument hands back the sandbox's own object, not a copy", () => {
    expect(call('identityBack', (t: unknown) => t)).toEqual([true, true]);
    expect(call('identityBack', (t: { shape: number[]; data: Float64Array }) => ({ shape: t.shape, data: t.data }))).toEqual([false, true]);
  });

  test('a generator is replicated by seed and position, and advanced by what the sandbox drew', () => {
    const rng = createRng('replica');
    rng.randn();
    const reference = createRng('replica');
    reference.randn();
    const expected = [reference.uniform(), reference.uniform(), reference.uniform()];
    expect(call('draws', rng, 3)).toEqual(expected);
    expect(rng.uniform()).toBe(reference.uniform());
  });

  test('a non-function export can be read', () => {
    expect(sessionFor('03-batchnorm').value('batchnorm.ts', 'answer')).toBe(42);
  });
});

describe('what fails, and why', () => {
  test('a Promise is refused with a hint', () => {
    expect(failure(() => call('asyncResult')).message).toMatch(/asyncResult returned a Promise/);
  });

  test('a Proxy stays in the sandbox, unread', () => {
    expect(call('proxyResult')).toBeInstanceOf(SandboxValue);
  });

  test('a getter that throws is an unusable result, not a crash', () => {
    const error = failure(() => call('throwingGetter'));
    expect(error.kind).toBe('output');
  });

  test('a symbol does not cross', () => {
    expect(call('symbolResult')).toEqual({ s: undefined, n: 1 });
  });

  test('a result above the size limit is refused', () => {
    const error = failure(() => call('huge'));
    expect(error.kind).toBe('output');
    expect(error.message).toMatch(/huge returned 69 MB/);
  });

  test('an error keeps its built-in class, its name and message', () => {
    let thrown: unknown;
    try {
      call('throwsCustom');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RangeError);
    expect((thrown as Error).name).toBe('ShapeError');
    expect((thrown as Error).message).toBe("throwsCustom: 'x' must have shape [2], got [3]");
  });

  test('a thrown object with hostile getters is described, not read', () => {
    expect(failure(() => call('throwsHostile')).message).toMatch(/throwsHostile threw an object, which is not an Error/);
  });

  test('NotImplementedError keeps its name', () => {
    expect(() => call('notImplemented')).toThrow(expect.objectContaining({ name: 'NotImplementedError' }));
  });

  test('reading outside the sandbox is denied', () => {
    const error = failure(() => call('readsOutside', join(ROOT, 'grader', 'rubric.json')));
    expect(error.kind).toBe('access');
  });

  test('signalling the grader is denied, eval is off, fetch is gone', () => {
    expect(failure(() => call('killsParent')).kind).toBe('access');
    expect(() => call('usesEval')).toThrow(/Code generation from strings disallowed/);
    expect(call('hasFetch')).toBe('undefined');
  });

  test('the network is out of reach: net/http/dgram imports refused while loading, no fetch or WebSocket, process.binding denied; a loopback server sees no connection', async () => {
    expect(call('dialsOut'), 'what the submission could reach').toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connections, 'connections the loopback server accepted').toBe(0);
  });

  test('a module importing child_process fails to load with "access denied"', () => {
    const error = failure(() => sessionFor('06-mean-image').call('mean-image.ts', 'meanImage', []));
    expect(error.kind).toBe('access');
    expect(error.message).toMatch(/access denied: exercises\/06-mean-image\/mean-image.ts imports 'node:child_process'/);
  });

  test('a module that never finishes loading, exits while loading, imports a missing file or does not parse fails every call, for that reason', () => {
    const of = (exercise: string, file: string, fn: string): SubmissionError => failure(() => sessionFor(exercise).call(file, fn, []));
    const loop = of('04-groupnorm', 'groupnorm.ts', 'layernormForward');
    expect(loop.kind).toBe('timeout');
    expect(loop.message).toMatch(/loading exercises\/04-groupnorm\/groupnorm.ts timed out after 0.8 s/);
    const started = Date.now();
    expect(of('04-groupnorm', 'groupnorm.ts', 'layernormForward').message).toBe(loop.message);
    expect(Date.now() - started, 'the failure is remembered, not re-run').toBeLessThan(200);
    expect(of('05-gradient-check', 'gradient-check.ts', 'relError').kind).toBe('exit');
    expect(of('01-activations', 'activations.ts', 'sigmoidForward').message).toMatch(/imports '.\/missing.ts', which is not part of the submission/);
    const syntax = of('02-weight-init', 'weight-init.ts', 'xavierInit');
    expect(syntax.kind).toBe('compile');
    expect(syntax.message).toMatch(/weight-init.ts does not compile: line 1, column \d+/);
  });

  test('printing past the limit fails the call', () => {
    expect(call('prints', 10)).toBe(10);
    expect(failure(() => call('prints', 200_000)).message).toMatch(/prints printed more than 98 KB during one call/);
  });

  test('process.exit ends the call, names the function, and the next call gets a fresh process', () => {
    const counter = call('makeCounter');
    const error = failure(() => call('exits'));
    expect(error.kind).toBe('exit');
    expect(error.message).toMatch(/the process exited during exits \(exited with code 7/);
    expect(call('viaHelper', 2)).toBe(3);
    expect(failure(() => call('bump', counter)).kind).toBe('stale');
  });

  test('an endless loop times out, and after two strikes is not run again', () => {
    expect(failure(() => call('loops')).message).toBe('loops timed out after 1 s');
    expect(failure(() => call('loops')).message).toBe('loops timed out after 1 s');
    const started = Date.now();
    expect(failure(() => call('loops')).message).toMatch(/not run again/);
    expect(Date.now() - started).toBeLessThan(200);
    expect(call('viaHelper', 3)).toBe(4);
  });
});
