/**
 * The sandbox, request by request: what crosses and how (data copied, behaviour kept behind
 * handles, generators replicated, test functions rebuilt inside, mutations written back), what the
 * submission's realm has and has not, and how every kind of misbehaviour comes back as an error
 * naming the function and the reason. A small submission of probe functions runs in a real sandbox
 * process, started and watched exactly as the grader does it.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng, drawsOf } from '../../lib/random.ts';
import { linearSoftmaxTrainer, recorded, scalarFunctions, scriptedTrainer, sumCubes, testFunctionState } from '../../lib/testing/functions.ts';
import { buildKit } from '../build.ts';
import { discoverExercises } from '../discover.ts';
import { sandboxCommand } from '../layers.ts';
import type { Plan } from '../plan.ts';
import { stageSubmission } from '../stage.ts';
import { SupervisedSandbox } from '../supervisor.ts';
import { Sandbox, SandboxValue, SubmissionError } from '../test-worker/sandbox.ts';
import { failure, ROOT } from './corpus.ts';

const PROBES = `
import { createRng, type Tensor } from '../../lib/index.ts';
import { helper } from './helpers/util.ts';
import { reached } from './helpers/dial.ts';

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
export function proxyResult(): unknown { return new Proxy({}, { ownKeys: () => { throw new Error('trap'); } }); }
export function throwingGetter(): unknown { return { get out() { throw new Error('getter'); } }; }
export function symbolResult(): unknown { return { s: Symbol('x'), n: 1 }; }
export function huge(): Float64Array { return new Float64Array(1_200_000); }
export function hugeText(): string { return 'x'.repeat(9_200_000); }
export function claimsShape(): { out: { shape: number[]; data: Float64Array }; cache: unknown } { return { out: { shape: [1e6, 1e6], data: new Float64Array(2) }, cache: { shape: [3], data: new Float64Array(1) } }; }
export function clones(): unknown[] {
  const x: Record<string, unknown> = { t: { shape: [2], data: Float64Array.of(1, 2) }, m: new Map([[1, new Date(5)]]), s: new Set(['a']) };
  x['self'] = x;
  const y = structuredClone(x) as typeof x & { t: { data: Float64Array }; m: Map<number, Date> };
  y.t.data[0] = 99;
  let refused = '';
  try { structuredClone({ f: () => 1 }); } catch (e) { refused = (e as Error).name; }
  return [(x['t'] as { data: Float64Array }).data[0], y.t.data instanceof Float64Array, y.m.get(1) instanceof Date && y.m.get(1)!.getTime() === 5, y['self'] === y, (y['s'] as Set<string>).has('a'), refused];
}
export function growsArgument(t: { data: Float64Array }): number { t.data = new Float64Array(1_200_000); return 0; }
export function sharedText(): string[] { const mb = 'y'.repeat(1_000_000); return new Array(300).fill(mb); }
export function longShape(): { shape: number[] } { return { shape: new Array(200_000).fill(1) }; }
export function callsBack(f: (t: Tensor) => number, n: number): number { let s = 0; for (let i = 0; i < n; i++) s += f({ shape: [1], data: Float64Array.of(i) }); return s; }
export function drivesTrainer(t: { step(s: number): number; accuracy(s: number): number }, n: number): number[] { const out: number[] = []; for (let s = 1; s <= n; s++) out.push(t.step(s), t.accuracy(s)); return out; }
export function identityBack(f: (t: Tensor) => Tensor): boolean[] { const x = { shape: [1], data: Float64Array.of(1) }; const y = f(x); return [y === x, y.data === x.data]; }
export function draws(rng: { uniform(): number }, n: number): number[] { return Array.from({ length: n }, () => rng.uniform()); }
export function ownRng(seed: string): number { return createRng(seed).uniform(); }
class ShapeError extends RangeError { override name = 'ShapeError'; }
export function throwsCustom(): never { throw new ShapeError("throwsCustom: 'x' must have shape [2], got [3]"); }
export function throwsHostile(): never { throw { get message() { throw new Error('no'); } }; }
export function notImplemented(): never { const e = new Error('not implemented yet: probe'); e.name = 'NotImplementedError'; throw e; }
export function loops(): never { for (;;) {} }
export function hogs(): number { const all: Float64Array[] = []; for (;;) all.push(new Float64Array(1e7)); }
export function hogsHeap(): number { const all: number[][] = []; for (;;) all.push(new Array(1e6).fill(0.5)); }
export function realm(): Record<string, string> {
  const g = globalThis as Record<string, unknown>;
  const escape = (() => { try { return typeof (Function('return this')() as Record<string, unknown>)['process']; } catch (e) { return 'threw'; } })();
  return {
    process: typeof g['process'], require: typeof g['require'], fetch: typeof g['fetch'], WebAssembly: typeof g['WebAssembly'],
    SharedArrayBuffer: typeof g['SharedArrayBuffer'], Atomics: typeof g['Atomics'], setTimeout: typeof g['setTimeout'],
    evalProcess: eval('typeof process'), functionThisProcess: escape, constructorEscape: ({}).constructor.constructor('return typeof process')(),
  };
}
export function dialsOut(): string[] { return [...reached]; }
export function prints(n: number): number { console.log('x'.repeat(n)); return n; }
export const answer = 42;
`;

/** Tries the network while loading: every dynamic import of Node's network modules (none may load). */
const DIAL = `
export const reached: string[] = [];
for (const specifier of ['node:net', 'node:http', 'node:https', 'node:dgram', 'node:tls', 'node:worker_threads', 'node:child_process']) {
  try {
    const m = (await import(specifier)) as { connect?: (port: number, host: string) => unknown };
    reached.push(specifier);
    m.connect?.(PORT, '127.0.0.1');
  } catch {
    /* refused */
  }
}
`;

let dir = '';
let plan: Plan;
let supervised: SupervisedSandbox;
let sandbox: Sandbox;
/** A loopback server the probes try to reach; it counts what it accepts. */
const server = createServer((socket) => {
  connections++;
  socket.destroy();
});
let connections = 0;

const LIMITS = { callCpuMs: 600, loadCpuMs: 600, memoryMb: 256, outputBytes: 100_000, resultBytes: 8 * 1024 * 1024 };

async function startSandbox(limits = LIMITS, total = { cpuSeconds: 60, wallSeconds: 120 }): Promise<{ plan: Plan; supervised: SupervisedSandbox; sandbox: Sandbox }> {
  const build = await buildKit(ROOT);
  const { command, layers } = sandboxCommand(ROOT, build.hostFile, { totalCpuSeconds: total.cpuSeconds, hostHeapMb: 256 });
  const staged = await stageSubmission(dir, discoverExercises(ROOT), () => []);
  const supervisedSandbox = new SupervisedSandbox(command, total.wallSeconds);
  const p: Plan = {
    id: `probe-${Math.random()}`,
    seed: 'probe',
    root: ROOT,
    exercises: staged.exercises,
    sandbox: { fds: supervisedSandbox.fds, layers, limits, bridge: build.bridge, kit: build.kit, submission: staged.submission },
  };
  return { plan: p, supervised: supervisedSandbox, sandbox: new Sandbox(p) };
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dir = mkdtempSync(join(tmpdir(), 'gradlab-probes-'));
  const write = (path: string, text: string): void => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('03-batchnorm/batchnorm.ts', PROBES);
  write('03-batchnorm/helpers/dial.ts', DIAL.replace('PORT', String((server.address() as AddressInfo).port)));
  write('03-batchnorm/helpers/util.ts', 'export const helper = (n: number): number => n + 1;\n');
  write('06-mean-image/mean-image.ts', "import { execSync } from 'node:child_process';\nexport const meanImage = () => execSync('id');\n");
  write('04-groupnorm/groupnorm.ts', 'for (;;) {}\nexport function layernormForward(): number { return 1; }\n');
  write('05-gradient-check/gradient-check.ts', 'await new Promise(() => {});\nexport function relError(): number { return 0; }\n');
  write('01-activations/activations.ts', "import { helper } from './missing.ts';\nexport function sigmoidForward(): number { return helper; }\n");
  write('02-weight-init/weight-init.ts', 'export function xavierInit(: number {\n');
  ({ plan, supervised, sandbox } = await startSandbox());
});

afterAll(async () => {
  server.close();
  await supervised?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const call = (fn: string, ...args: unknown[]): unknown => sandbox.call('03-batchnorm', 'batchnorm.ts', fn, args);

describe('what crosses', () => {
  test('tensors, nested data, NaN and -0 come back as they went', () => {
    const value = { t: { shape: [2], data: Float64Array.of(NaN, -0) }, list: [1, 'two', null, [3]], nested: { deep: { er: true } } };
    expect(call('echo', value)).toEqual(value);
    expect(Object.is((call('echo', value) as typeof value).t.data[1], -0)).toBe(true);
  });

  test("the submission's own helper modules and lib/ load", () => {
    expect(call('viaHelper', 1)).toBe(2);
    expect(call('ownRng', 'seed')).toBe(createRng('seed').uniform());
  });

  test("a changed argument fails the call and never reaches the caller's object", () => {
    const t = { shape: [3], data: Float64Array.of(1, 2, 3) };
    const error = failure(() => call('mutates', t));
    expect(error.kind).toBe('mutation');
    expect(error.message).toMatch(/^mutates changed its argument 1/);
    expect(t, 'the test\'s own data is what the test made it').toEqual({ shape: [3], data: Float64Array.of(1, 2, 3) });
    const u = { shape: [1], data: Float64Array.of(5) };
    expect(failure(() => call('mutatesThenThrows', u)).kind, 'also when the function throws afterwards').toBe('mutation');
    expect(u.data[0]).toBe(5);
    expect(call('echo', t), 'an argument left as it was is no mutation').toEqual(t);
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

  test("a test function of lib/testing/functions.ts runs inside the sandbox, and what it saw comes back", () => {
    const f = recorded(sumCubes);
    expect(call('callsBack', f, 4)).toBe(0 + 1 + 8 + 27);
    expect(f.calls.map((c) => c.data[0])).toEqual([0, 1, 2, 3]);
    expect(testFunctionState(f)?.count).toBe(4);
  });

  test("a trainer of lib/testing/functions.ts (two test functions sharing one log) runs inside the sandbox, and its log comes back", () => {
    const trainer = scriptedTrainer([2.3, 1.1, 0.4], [0.2, 0.7, 1]);
    expect(call('drivesTrainer', trainer, 3)).toEqual([2.3, 0.2, 1.1, 0.7, 0.4, 1]);
    expect(trainer.calls).toEqual(['step 1', 'accuracy 1', 'step 2', 'accuracy 2', 'step 3', 'accuracy 3']);
    expect(call('drivesTrainer', trainer, 1), 'a second call starts from the log so far').toEqual([2.3, 0.2]);
    expect(trainer.calls).toHaveLength(8);
    const X = { shape: [2, 3], data: Float64Array.of(1, 0, 2, -1, 3, 0.5) };
    const y = { shape: [2], data: Float64Array.of(0, 1) };
    const W0 = { shape: [3, 2], data: new Float64Array(6) };
    const local = linearSoftmaxTrainer(X, y, W0, 0.5);
    const expected = [1, 2, 3].flatMap((s) => [local.step(s), local.accuracy(s)]);
    expect(call('drivesTrainer', linearSoftmaxTrainer(X, y, W0, 0.5), 3), 'a real trainer answers in the sandbox as it does here').toEqual(expected);
  });

  test('any other function stays on the trusted side: passing one is a kit bug, said as such', () => {
    expect(() => call('callsBack', (t: { data: Float64Array }) => t.data[0], 2)).toThrow(/only the test functions of lib\/testing\/functions.ts cross/);
    expect(() => call('drivesTrainer', { step: () => 1, accuracy: () => 1 }, 1), 'an object of functions made elsewhere').toThrow(/only the test functions of lib\/testing\/functions.ts cross/);
  });

  test("a test function that returns its argument hands back the sandbox's own object, not a copy", () => {
    expect(call('identityBack', scalarFunctions['sumCubes']!({}))).toEqual([false, false]);
  });

  test('a generator is replicated by seed and position, and advanced by what the sandbox drew', () => {
    const rng = createRng('replica');
    rng.randn();
    const reference = createRng('replica');
    reference.randn();
    const expected = [reference.uniform(), reference.uniform(), reference.uniform()];
    expect(call('draws', rng, 3)).toEqual(expected);
    expect(drawsOf(rng)).toBe(drawsOf(reference));
    expect(rng.uniform()).toBe(reference.uniform());
  });

  test('repeated calls run in one request: results in order, the generator advanced by every draw, a change to an argument still fails', () => {
    const rng = createRng('repeat');
    const reference = createRng('repeat');
    const expected = Array.from({ length: 50 }, () => [reference.uniform(), reference.uniform()]);
    expect(sandbox.repeat('03-batchnorm', 'batchnorm.ts', 'draws', [rng, 2], 50)).toEqual(expected);
    expect(drawsOf(rng)).toBe(drawsOf(reference));
    const counter = call('makeCounter') as { count: number };
    expect(sandbox.repeat('03-batchnorm', 'batchnorm.ts', 'bump', [counter], 3), 'the same object each call, as in a loop here').toEqual([4, 5, 6]);
    const t = { shape: [1], data: Float64Array.of(7) };
    expect(failure(() => sandbox.repeat('03-batchnorm', 'batchnorm.ts', 'mutates', [t], 3)).kind).toBe('mutation');
    expect(t.data[0]).toBe(7);
    expect(() => sandbox.repeat('03-batchnorm', 'batchnorm.ts', 'notImplemented', [], 5), 'the first call that throws ends them').toThrow(/not implemented yet/);
  });

  test("Node's structuredClone exists in the sandbox as in Node: deep copies of data, cycles kept, functions refused", () => {
    expect(call('clones')).toEqual([1, true, true, true, true, 'DataCloneError']);
  });

  test('a non-function export can be read', () => {
    expect(sandbox.read('03-batchnorm', 'batchnorm.ts', 'answer')).toBe(42);
  });
});

describe('the realm the submission runs in', () => {
  test('has no process, require, fetch, timers, WebAssembly, shared memory or Atomics — not even through eval or Function', () => {
    expect(call('realm')).toEqual({
      process: 'undefined',
      require: 'undefined',
      fetch: 'undefined',
      WebAssembly: 'undefined',
      SharedArrayBuffer: 'undefined',
      Atomics: 'undefined',
      setTimeout: 'undefined',
      evalProcess: 'undefined',
      functionThisProcess: 'undefined',
      constructorEscape: 'undefined',
    });
  });

  test('cannot import Node modules: a module importing child_process fails to load with "access denied"', () => {
    const error = failure(() => sandbox.call('06-mean-image', 'mean-image.ts', 'meanImage', []));
    expect(error.kind).toBe('access');
    expect(error.message).toMatch(/access denied: 'node:child_process' is a Node module/);
  });

  test('the network is out of reach: dynamic imports of net/http/dgram/tls/workers refused while loading; a loopback server sees no connection', async () => {
    expect(call('dialsOut'), 'what the submission could reach').toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connections, 'connections the loopback server accepted').toBe(0);
  });

  test('the sandbox process runs in every layer the machine offers (as CI does: all of them)', () => {
    expect(plan.sandbox.layers.isolate).toBe(true);
    if (process.env['CI']) {
      expect(plan.sandbox.layers, plan.sandbox.layers.notes.join('; ')).toMatchObject({ permissionModel: true, unprivilegedUser: true, noNetwork: true, cpuLimit: true, wallLimit: true });
    }
  });
});

describe('what fails, and why', () => {
  test('a Promise is refused with a hint', () => {
    expect(failure(() => call('asyncResult')).message).toMatch(/asyncResult returned a Promise/);
  });

  test('a getter or a proxy trap that throws while the result is read is an unusable result, not a crash', () => {
    expect(failure(() => call('throwingGetter')).kind).toBe('output');
    expect(failure(() => call('proxyResult')).kind).toBe('output');
  });

  test('a symbol does not cross', () => {
    expect(call('symbolResult')).toEqual({ s: undefined, n: 1 });
  });

  test('a result above the size limit is refused', () => {
    // The result's own limits (below) keep a result under 8 MB; a changed argument is copied back whole.
    const error = failure(() => call('growsArgument', { shape: [1], data: Float64Array.of(1) }));
    expect(error.kind).toBe('output');
    expect(error.message).toMatch(/growsArgument returned 9\.2 MB \(the limit is 8 MB\)/);
    expect(failure(() => call('hugeText')).message, 'too many characters: stopped in the isolate').toMatch(/^hugeText returned more than 4,000,000 characters in strings/);
    expect(failure(() => call('huge')).message, 'too many numbers: stopped in the isolate').toMatch(/^huge returned more than 262,144 numbers in typed arrays/);
    expect(failure(() => call('longShape')).message, 'too many values: stopped in the isolate').toMatch(/^longShape returned more than 10,000 values in arrays and objects/);
    // 300 references to one 1 MB string: 1 MB in the isolate, 300 MB once copied out of it.
    expect(failure(() => call('sharedText')).message, 'each reference to a string counts').toMatch(/^sharedText returned more than 4,000,000 characters in strings/);
    expect(call('echo', 1), 'and the sandbox lives on').toBe(1);
  });

  test("a tensor whose shape does not match its numbers fails the call before any trusted code loops over it (a cache is the student's own)", () => {
    const error = failure(() => call('claimsShape'));
    expect(error.kind).toBe('output');
    expect(error.message).toBe('claimsShape returned a tensor whose shape [1000000, 1000000] does not match its 2 numbers (a shape must multiply out to data.length)');
    expect(call('echo', { out: { shape: [2], data: Float64Array.of(1, 2) }, cache: { shape: [9], data: new Float64Array(1) } }), 'consistent tensors, and anything in a cache, pass').toBeTruthy();
  });

  test('a call whose arguments are more than the sandbox reads in one request fails, and the sandbox never sees it', () => {
    const error = failure(() => call('echo', 'z'.repeat(100 * 1024 * 1024)));
    expect(error.kind).toBe('output');
    expect(error.message).toMatch(/^echo could not be called: its arguments .* come to 100 MB, over the 96 MB/);
    expect(call('echo', 2)).toBe(2);
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

  test('a module that never finishes loading, loops while loading, imports a missing file or does not parse fails every call, for that reason', () => {
    const of = (exercise: string, file: string, fn: string): SubmissionError => failure(() => sandbox.call(exercise, file, fn, []));
    const loop = of('04-groupnorm', 'groupnorm.ts', 'layernormForward');
    expect(loop.kind).toBe('timeout');
    expect(loop.message).toMatch(/loading groupnorm.ts ran out of CPU time/);
    const cpu = supervised.cpuSeconds();
    expect(of('04-groupnorm', 'groupnorm.ts', 'layernormForward').message).toBe(loop.message);
    expect(supervised.cpuSeconds() - cpu, 'the failure is remembered, not run again (CPU seconds spent)').toBeLessThan(0.3);
    const pending = of('05-gradient-check', 'gradient-check.ts', 'relError');
    expect(pending.message).toMatch(/did not finish loading/);
    expect(of('01-activations', 'activations.ts', 'sigmoidForward').message).toMatch(/cannot import '.\/missing.ts'/);
    const syntax = of('02-weight-init', 'weight-init.ts', 'xavierInit');
    expect(syntax.kind).toBe('compile');
    expect(syntax.message).toMatch(/weight-init.ts does not compile: line 1, column \d+/);
  });

  test('printing past the limit fails the call', () => {
    expect(call('prints', 10)).toBe(10);
    expect(failure(() => call('prints', 200_000)).message).toMatch(/prints printed more than 100000 bytes/);
  });

  test('an endless loop runs out of CPU time, and after two strikes is not run again; the rest goes on', () => {
    expect(failure(() => call('loops')).message).toMatch(/^loops timed out: it ran out of CPU time/);
    expect(failure(() => call('loops')).kind).toBe('timeout');
    const cpu = supervised.cpuSeconds();
    expect(failure(() => call('loops')).message).toMatch(/^loops timed out: it was not run again after 2 runs that ran out of CPU time/);
    expect(supervised.cpuSeconds() - cpu, 'CPU seconds the third call cost').toBeLessThan(0.3);
    expect(call('viaHelper', 3)).toBe(4);
  });

  test('memory exhaustion fails the call with "memory", and the next call gets a fresh isolate', async () => {
    // The grader's own CPU limit per call (2 s): a heap that fills this fast meets the memory limit first.
    const other = await startSandbox({ ...LIMITS, callCpuMs: 2000, memoryMb: 128 });
    try {
      const on = (fn: string, ...args: unknown[]): unknown => other.sandbox.call('03-batchnorm', 'batchnorm.ts', fn, args);
      const counter = on('makeCounter');
      const error = failure(() => on('hogs'));
      expect(error.kind).toBe('memory');
      expect(error.message).toMatch(/hogs exceeded the memory limit/);
      expect(on('viaHelper', 2)).toBe(3);
      expect(failure(() => on('hogsHeap')).kind, 'the heap, not only buffers').toBe('memory');
      expect(on('viaHelper', 2)).toBe(3);
      expect(failure(() => on('bump', counter)).kind, 'a handle from the disposed isolate').toBe('stale');
      // Two strikes of memory: the verdict stays memory (not a timeout, whatever a busy machine does).
      expect(failure(() => on('hogs')).kind).toBe('memory');
      const third = failure(() => on('hogs'));
      expect([third.kind, third.message]).toEqual(['memory', 'hogs exceeded the memory limit (it was not run again after 2 runs that ran out of memory)']);
    } finally {
      await other.supervised.stop();
    }
  });

  test('the whole submission has a CPU budget: the kernel ends the sandbox when it is spent, and every later call says so', async () => {
    if (!plan.sandbox.layers.cpuLimit) return;
    // The supervisor lives in this thread, so the process must die while this thread waits
    // asynchronously (in the grader the calls block another thread). The sandbox's own command, with
    // its program replaced by a CPU burner after the layers' options, shows the budget and its reason.
    const { command } = sandboxCommand(ROOT, (await buildKit(ROOT)).hostFile, { totalCpuSeconds: 1, hostHeapMb: 256 });
    const prlimit = command.findIndex((part) => part.endsWith('prlimit'));
    expect(command[prlimit + 1], 'the CPU limit of the sandbox command').toBe('--cpu=1:2');
    const burner = new SupervisedSandbox([...command.slice(prlimit, prlimit + 3), process.execPath, '-e', 'for (;;) {}'], 120);
    const sandbox = new Sandbox({ ...plan, id: `burner-${Math.random()}`, sandbox: { ...plan.sandbox, fds: burner.fds } });
    try {
      await burner.exited;
      expect(burner.cpuSeconds(), 'CPU seconds the process used').toBeLessThan(2.5);
      expect(failure(() => sandbox.call('03-batchnorm', 'batchnorm.ts', 'viaHelper', [1])).message).toMatch(/used all the CPU time its grading may use/);
    } finally {
      await burner.stop();
    }
  });

  test('the whole submission has a wall-clock limit, kept from outside: past it the sandbox is gone, and every call says so', async () => {
    const other = await startSandbox(LIMITS, { cpuSeconds: 60, wallSeconds: 1 });
    try {
      expect(other.sandbox.call('03-batchnorm', 'batchnorm.ts', 'viaHelper', [1])).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(failure(() => other.sandbox.call('03-batchnorm', 'batchnorm.ts', 'viaHelper', [1])).message).toMatch(/reached its wall-clock limit/);
    } finally {
      await other.supervised.stop();
    }
  });

  test('a sandbox process killed from outside fails the call in flight and every later one, with the reason', async () => {
    const other = await startSandbox();
    try {
      expect(other.sandbox.call('03-batchnorm', 'batchnorm.ts', 'viaHelper', [1])).toBe(2);
      process.kill(other.supervised.pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const error = failure(() => other.sandbox.call('03-batchnorm', 'batchnorm.ts', 'viaHelper', [1]));
      expect(error.message).toMatch(/killed by the system/);
      expect(failure(() => other.sandbox.call('03-batchnorm', 'batchnorm.ts', 'viaHelper', [1])).message).toBe(error.message);
    } finally {
      await other.supervised.stop();
    }
  });
});

void readFileSync;
