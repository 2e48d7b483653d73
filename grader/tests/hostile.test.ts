/**
 * A red team's attacks on the sandbox, each with what must hold: probes that run in a real sandbox
 * process (started and watched exactly as the grader does it), with a listener on a loopback
 * port, a listener on a host Unix socket and canary paths outside the sandbox.
 *
 * - the realm: nothing of the process reachable (globals, dynamic import, stack frames, the
 *   Function constructor family), nothing created, connected or read on the host;
 * - no work outside the watched calls (callbacks that would run between requests);
 * - nothing of one exercise outlives it (an isolate's free memory, readable from any of its
 *   contexts, carried a hidden input of one exercise into the next exercise's public prints);
 * - what the trusted side does with a reply is bounded (vitest formats a failed assertion's
 *   values whole, in the test worker, uncounted: a large result cost a minute a test);
 * - the test's own data stays the test's (a change written back let a zeroed `dout` pass every
 *   gradient check);
 * - exercise 07's trainers and exercise 08's repeated calls: bad step numbers, replaced methods,
 *   trainers kept across calls, stuffed logs, a throw or a change midway through 500 calls, one
 *   draw budget for all of them; counts a proxy, a sparse array or a shared subtree would fool;
 * - if the isolate ever fell, the process layers: no file read or written, no process, no
 *   network, no socket of the grader's user.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng, drawsOf } from '../../lib/random.ts';
import { scriptedTrainer } from '../../lib/testing/functions.ts';
import { buildKit } from '../build.ts';
import { discoverExercises } from '../discover.ts';
import { sandboxCommand } from '../layers.ts';
import type { Plan } from '../plan.ts';
import type { SandboxLimits } from '../shared/protocol.ts';
import { stageSubmission } from '../stage.ts';
import { SupervisedSandbox } from '../supervisor.ts';
import { Sandbox } from '../test-worker/sandbox.ts';
import { failure, ROOT } from './corpus.ts';

const LIMITS: SandboxLimits = { callCpuMs: 1500, loadCpuMs: 1500, memoryMb: 256, outputBytes: 100_000, resultBytes: 64 * 1024 * 1024 };

let work = '';
const canaries: string[] = [];
let socketPath = '';
let accepted = 0;
const servers: Server[] = [];
let port = 0;
const stops: (() => Promise<void>)[] = [];

/** Starts a sandbox for a submission folder laid out like exercises/. */
async function startSandbox(dir: string, limits: SandboxLimits = LIMITS): Promise<{ sandbox: Sandbox; supervised: SupervisedSandbox }> {
  const build = await buildKit(ROOT);
  const { command, layers } = sandboxCommand(ROOT, build.hostFile, { totalCpuSeconds: 60, hostHeapMb: 256 });
  const staged = await stageSubmission(dir, discoverExercises(ROOT), () => []);
  const supervised = new SupervisedSandbox(command, 120);
  stops.push(() => supervised.stop());
  const plan: Plan = {
    id: `hostile-${Math.random()}`,
    seed: 'hostile',
    root: ROOT,
    exercises: staged.exercises,
    sandbox: { fds: supervised.fds, layers, limits, bridge: build.bridge, kit: build.kit, submission: staged.submission },
  };
  return { sandbox: new Sandbox(plan), supervised };
}

function submission(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gradlab-hostile-'));
  chmodSync(work, 0o755);
  const tcp = createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  port = (tcp.address() as AddressInfo).port;
  socketPath = join(work, 'grader.sock');
  const unix = createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => unix.listen(socketPath, resolve));
  servers.push(tcp, unix);
  canaries.push(join(work, 'canary-file'), join(work, 'canary.sock'), join(tmpdir(), `gradlab-canary-${process.pid}`));
});

afterAll(async () => {
  for (const stop of stops) await stop();
  for (const server of servers) server.close();
  if (work) rmSync(work, { recursive: true, force: true });
  for (const path of canaries) rmSync(path, { force: true });
});

// ---------------------------------------------------------------------------------------------

const REALM = String.raw`
const reached: string[] = [];
for (const s of ['node:net', 'node:fs', 'node:child_process', 'file:///gradlab/bridge.js', '../../lib/testing/fixtures.ts', 'file:///etc/passwd', 'data:text/javascript,export default 1', './realm.ts']) {
  try { await import(s); reached.push(s); } catch { /* refused */ }
}
export function probe(targets: string[]): Record<string, unknown> {
  const g = globalThis as Record<string, unknown>;
  const frames: string[] = [];
  const E = Error as unknown as { prepareStackTrace?: unknown; stackTraceLimit: number };
  E.prepareStackTrace = (_e: unknown, sites: { getThis(): unknown; getFunction(): unknown; getFileName(): unknown }[]) => {
    for (const s of sites) frames.push([typeof s.getThis(), typeof s.getFunction(), String(s.getFileName())].join(' '));
    return '';
  };
  E.stackTraceLimit = 100;
  void new Error('x').stack;
  E.prepareStackTrace = undefined;
  const constructors = [
    (function () {}).constructor,
    (async function () {}).constructor,
    Object.getPrototypeOf(function* () {}).constructor,
    Object.getPrototypeOf(async function* () {}).constructor,
  ].map((C) => { try { return String((C as (body: string) => () => unknown)('return typeof process + typeof require + typeof Buffer')()); } catch (e) { return 'threw'; } });
  let natives = 'refused';
  try { eval('%GetOptimizationStatus(probe)'); natives = 'ran'; } catch { /* SyntaxError */ }
  // Whatever the realm offers, it is tried on the targets (paths and the loopback port).
  const tried: string[] = [];
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    const v = g[name] as Record<string, unknown> | undefined;
    for (const m of ['connect', 'createConnection', 'open', 'openSync', 'writeFileSync', 'readFileSync', 'spawn', 'dlopen']) {
      if (v && typeof v[m] === 'function') { tried.push(name + '.' + m); for (const t of targets) try { (v[m] as (x: string) => unknown)(t); } catch { /* no */ } }
    }
  }
  return {
    globals: Object.getOwnPropertyNames(globalThis).filter((n) => !/^[A-Z]/.test(n)).sort(),
    constructors: [...new Set(Object.getOwnPropertyNames(globalThis).filter((n) => /^[A-Z]/.test(n)))].filter((n) => !BUILTINS.has(n)),
    reached, frames, fn: constructors, natives, tried,
  };
}
const BUILTINS = new Set(${JSON.stringify(
  'AggregateError Array ArrayBuffer BigInt BigInt64Array BigUint64Array Boolean DataView Date Error EvalError Float32Array Float64Array Function Infinity Int16Array Int32Array Int8Array Intl JSON Map Math NaN Number Object Promise Proxy RangeError ReferenceError Reflect RegExp Set String Symbol SyntaxError TypeError URIError Uint16Array Uint32Array Uint8Array Uint8ClampedArray WeakMap WeakRef WeakSet'.split(' '),
)});
`;

describe('the realm', () => {
  test('offers nothing of the process: no Node globals, no dynamic import, no host frames, no natives; nothing is created, connected or read', async () => {
    const dir = submission('realm', { '03-batchnorm/batchnorm.ts': REALM });
    const { sandbox } = await startSandbox(dir);
    const targets = [...canaries, socketPath, `127.0.0.1:${port}`, join(ROOT, 'fixtures', '03-batchnorm', 'hidden.json')];
    const result = sandbox.call('03-batchnorm', 'batchnorm.ts', 'probe', [targets]) as Record<string, unknown>;
    expect(result['globals']).toEqual(['console', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'eval', 'globalThis', 'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'structuredClone', 'undefined', 'unescape']);
    expect(result['constructors'], 'constructors beyond the language built-ins').toEqual([]);
    expect(result['reached'], 'dynamic imports that loaded').toEqual([]);
    expect(result['frames'], 'every frame is the submission or the bridge, and shows neither this nor its function').toEqual([
      'undefined undefined file:///exercises/03-batchnorm/batchnorm.ts',
      'undefined undefined file:///gradlab/bridge.js',
      'undefined undefined file:///gradlab/bridge.js',
      'undefined undefined file:///gradlab/bridge.js',
    ]);
    expect(result['fn']).toEqual(['undefinedundefinedundefined', '[object Promise]', '[object Generator]', '[object AsyncGenerator]']);
    expect(result['natives']).toBe('refused');
    expect(result['tried']).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(accepted, 'connections the host listeners accepted').toBe(0);
    expect(canaries.filter((path) => existsSync(path)), 'canaries created').toEqual([]);
  });

  test('runs nothing between requests: no FinalizationRegistry, whose callbacks ran unwatched and were charged to the next call', async () => {
    const dir = submission('background', {
      '03-batchnorm/batchnorm.ts': `
let armedAt = 0;
const FR = (globalThis as Record<string, unknown>)['FinalizationRegistry'] as (new (cb: () => void) => { register(o: object, v: number): void }) | undefined;
const registry = FR ? new FR(() => { if (Date.now() - armedAt > 200) { const end = Date.now() + 2000; while (Date.now() < end) { /* spin */ } } }) : undefined;
export function arm(): string {
  armedAt = Date.now();
  for (let i = 0; i < 200; i++) registry?.register({ junk: new Array(1000).fill(i) }, i);
  let n = 0;
  for (let i = 0; i < 20; i++) n += new Array(1e6).fill(i).length;
  return typeof FR;
}
export function innocent(): number { return 1; }
`,
    });
    const { sandbox, supervised } = await startSandbox(dir);
    expect(sandbox.call('03-batchnorm', 'batchnorm.ts', 'arm', [])).toBe('undefined');
    const before = supervised.cpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(supervised.cpuSeconds() - before, 'CPU seconds the sandbox used while no request ran').toBeLessThan(0.3);
    expect(sandbox.call('03-batchnorm', 'batchnorm.ts', 'innocent', []), 'the next call is not charged for anything').toBe(1);
  });
});

describe('exercises are apart', () => {
  test("an exercise's retained memory cannot be measured from the next one (it carried hidden inputs into public prints)", async () => {
    const dir = submission('memory', {
      '03-batchnorm/batchnorm.ts': 'const kept: ArrayBuffer[] = [];\nexport function batchnormForward(mb: number): number { for (let i = 0; i < mb; i++) kept.push(new ArrayBuffer(1 << 20)); return kept.length; }\n',
      '04-groupnorm/groupnorm.ts': [
        '/** The largest ArrayBuffer this isolate can still allocate, in MB. */',
        'export function layernormForward(): number {',
        '  let lo = 0, hi = 4096;',
        '  while (hi - lo > 1) { const mid = (lo + hi) >> 1; try { new ArrayBuffer(mid * (1 << 20)); lo = mid; } catch { hi = mid; } }',
        '  return lo;',
        '}',
      ].join('\n'),
    });
    const { sandbox } = await startSandbox(dir);
    const free = (): number => sandbox.call('04-groupnorm', 'groupnorm.ts', 'layernormForward', []) as number;
    const first = free();
    expect(first).toBeGreaterThan(150);
    // Exercise 03 keeps 40, then 140 MB: before the fix, exercise 04 read 40 and 140 MB less.
    for (const mb of [40, 100]) {
      sandbox.call('03-batchnorm', 'batchnorm.ts', 'batchnormForward', [mb]);
      expect(Math.abs(free() - first), `MB exercise 04 sees of what exercise 03 keeps (${mb} MB more)`).toBeLessThanOrEqual(2);
    }
  });
});

// ---------------------------------------------------------------------------------------------

const BULKY = `
export function plainFlood(n: number): number[] { return new Array(n).fill(7); }
export function keyFlood(n: number): Record<string, number> { const o: Record<string, number> = {}; for (let i = 0; i < n; i++) o['k' + i] = i; return o; }
export function typedFlood(n: number): { shape: number[]; data: Float64Array } { return { shape: [n], data: new Float64Array(n) }; }
export function deep(n: number): unknown { let v: unknown = 1; for (let i = 0; i < n; i++) v = [v]; return v; }
export function draws(rng: { uniform(): number }, n: number): number { for (let i = 0; i < n; i++) rng.uniform(); return n; }
export function zeroesDout(dout: { data: Float64Array }): number { dout.data.fill(0); return 0; }
export function growsShape(x: { shape: number[] }): number { x.shape.push(1); return 0; }
export function restores(x: { data: Float64Array }): number { const old = x.data[0]!; x.data[0] = 99; x.data[0] = old; return old; }
export function changesNested(p: { params: { mode: string } }): number { p.params.mode = 'test'; return 0; }
export function rebinds(p: Record<string, unknown>): number { delete p['a']; p['b'] = 1; return 0; }
`;

describe('what the trusted side does with a reply is bounded', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    ({ sandbox } = await startSandbox(submission('bulky', { '03-batchnorm/batchnorm.ts': BULKY })));
  });
  const call = (fn: string, ...args: unknown[]): unknown => sandbox.call('03-batchnorm', 'batchnorm.ts', fn, args);

  test('a result with more values in arrays and objects than any suite needs is refused before anything reads it', () => {
    expect((call('plainFlood', 10_000) as unknown[]).length, 'at the limit').toBe(10_000);
    const plain = failure(() => call('plainFlood', 300_000));
    expect(plain.kind).toBe('output');
    expect(plain.message).toMatch(/^plainFlood returned more than 10,000 values in arrays and objects/);
    expect(failure(() => call('keyFlood', 20_000)).kind).toBe('output');
  });

  test('a result with more numbers in typed arrays than any suite needs is refused', () => {
    expect((call('typedFlood', 200_000) as { data: Float64Array }).data.length).toBe(200_000);
    const typed = failure(() => call('typedFlood', 2_000_000));
    expect(typed.kind).toBe('output');
    expect(typed.message).toMatch(/^typedFlood returned more than 262,144 numbers in typed arrays/);
  });

  test('a result nested deeper than the decoder follows is refused', () => {
    expect(failure(() => call('deep', 100)).kind).toBe('output');
  });

  test('a generator drawn from more than a million times in one call is refused, not replayed here', () => {
    const rng = createRng('draws');
    expect(call('draws', rng, 1000)).toBe(1000);
    const error = failure(() => call('draws', rng, 1_500_000));
    expect(error.kind).toBe('output');
    expect(error.message).toMatch(/drew more than 1,000,000 numbers/);
  });
});

describe("the test's own data stays the test's", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    ({ sandbox } = await startSandbox(submission('mutates', { '03-batchnorm/batchnorm.ts': BULKY })));
  });
  const call = (fn: string, ...args: unknown[]): unknown => sandbox.call('03-batchnorm', 'batchnorm.ts', fn, args);

  test('a zeroed dout fails the call as a mutation and never reaches the caller (it made any gradient check pass)', () => {
    const dout = { shape: [3], data: Float64Array.of(1, 2, 3) };
    const error = failure(() => call('zeroesDout', dout));
    expect(error.kind).toBe('mutation');
    expect(error.message).toBe('zeroesDout changed its argument 1 (functions must leave their inputs unchanged; copy before you modify)');
    expect([...dout.data]).toEqual([1, 2, 3]);
  });

  test('a grown shape, a changed nested field or a changed key set are mutations; a value put back is not', () => {
    const x = { shape: [2], data: Float64Array.of(1, 2) };
    expect(failure(() => call('growsShape', x)).kind).toBe('mutation');
    expect(x.shape).toEqual([2]);
    const p = { params: { mode: 'train' } };
    expect(failure(() => call('changesNested', p)).kind).toBe('mutation');
    expect(p.params.mode).toBe('train');
    const o = { a: 1 };
    expect(failure(() => call('rebinds', o)).kind).toBe('mutation');
    expect(o).toEqual({ a: 1 });
    expect(call('restores', x)).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------

/** Exercise 07's trainers, exercise 08's repeated calls and results that try to fool the counts. */
const SECOND_BLOCK = String.raw`
type Trainer = { step(s: number): number; accuracy(s: number): number; calls: unknown[] };
const g = globalThis as unknown as { kept?: Trainer; count: number };
g.count = 0;
export function badSteps(t: Trainer): string[] {
  const out: string[] = [];
  for (const s of [0, -1, 0.5, NaN, '2', { valueOf: () => 1 }]) { try { t.step(s as number); out.push('ran'); } catch (e) { out.push((e as Error).name); } }
  return out;
}
export function replaces(t: Trainer): number { t.step = () => 0; t.accuracy = () => 1; Object.freeze(t); return t.step(1) + t.accuracy(1); }
export function freezesLog(t: Trainer): number { Object.freeze(t.calls); return t.step(1); }
export function keeps(t: Trainer): number { g.kept = t; return t.step(1); }
export function usesKept(t: Trainer): number { return g.kept!.step(2) + t.accuracy(1); }
export function stuffs(t: Trainer, n: number): number { t.step(1); for (let i = 0; i < n; i++) t.calls.push('accuracy 1'); return 1; }
export function trapsLog(t: Trainer): number { t.step(1); t.calls.push({ get boom() { throw new Error('boom'); } }); return 1; }
export function returnsTrainer(t: Trainer): unknown { return { t, step: t.step }; }
export function throwsOn(n: number): number { if (++g.count === n) throw new RangeError('throwsOn: midway'); return g.count; }
export function mutatesOn(x: { v: number[] }, n: number): number { if (++g.count === n) x.v[0] = 5; return x.v[0]!; }
export function drawsOn(rng: { uniform(): number }, n: number, extra: number): number { if (++g.count === n) for (let i = 0; i < extra; i++) rng.uniform(); return rng.uniform(); }
export function drawsEach(rng: { uniform(): number }, extra: number): number { for (let i = 0; i < extra; i++) rng.uniform(); return rng.uniform(); }
export function reset(): number { g.count = 0; return 0; }
export function proxyArray(n: number): unknown { const inner = new Array(n).fill(0); return new Proxy([1, 2, 3, 4, 5], { get: (t, k) => (k === 'length' ? 5 : typeof k === 'string' && /^\d+$/.test(k) ? inner : Reflect.get(t, k)) }); }
export function sparse(n: number): unknown { const a: unknown[] = []; a.length = n; return a; }
export function dag(levels: number): unknown { let x: unknown = [1, 2]; for (let i = 0; i < levels; i++) x = [x, x]; return x; }
export function cycle(): unknown { const a: unknown[] = [1]; a.push(a); return { a }; }
export function view(n: number): { shape: number[]; data: Float64Array } { const big = new Float64Array(4_000_000).fill(2); return { shape: [n], data: big.subarray(1_000, 1_000 + n) }; }
`;

describe("exercise 07's trainers, exercise 08's repeated calls and results that try to fool the counts", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    ({ sandbox } = await startSandbox(submission('second-block', { '07-babysitting/babysitting.ts': SECOND_BLOCK })));
  });
  const call = (fn: string, ...args: unknown[]): unknown => sandbox.call('07-babysitting', 'babysitting.ts', fn, args);
  const repeat = (fn: string, args: unknown[], times: number): unknown[] => sandbox.repeat('07-babysitting', 'babysitting.ts', fn, args, times);

  test('a trainer called with what is not a step number throws a RangeError for each call, and each call is in the log', () => {
    const trainer = scriptedTrainer([2, 1], [0.5, 1]);
    expect(call('badSteps', trainer)).toEqual(['RangeError', 'RangeError', 'RangeError', 'RangeError', 'RangeError', 'RangeError']);
    expect(trainer.calls).toEqual(['step 0', 'step -1', 'step 0.5', 'step NaN', 'step 2', 'step [object Object]']);
  });

  test("a trainer's methods replaced or its log frozen change only the submission's copy; one kept from an earlier call is not reported", () => {
    const replaced = scriptedTrainer([2, 1], [0.5, 1]);
    expect(call('replaces', replaced)).toBe(1);
    expect(replaced.calls, 'nothing ran').toEqual([]);
    expect(replaced.step(1), "the test's own trainer still works").toBe(2);
    const frozen = scriptedTrainer([2, 1], [0.5, 1]);
    expect(() => call('freezesLog', frozen)).toThrow(TypeError);
    expect(frozen.calls).toEqual([]);
    const first = scriptedTrainer([2, 1], [0.5, 1]);
    const second = scriptedTrainer([3, 4], [0.1, 0.2]);
    expect(call('keeps', first)).toBe(2);
    expect(call('usesKept', second), "the kept trainer's step 2 and the new one's accuracy 1").toBe(1 + 0.1);
    expect(first.calls, 'the kept copy ran in the sandbox; the test holds its own log').toEqual(['step 1']);
    expect(second.calls).toEqual(['accuracy 1']);
  });

  test('a log stuffed past the limits or holding a value that throws when read is refused; a returned trainer does not cross', () => {
    const at = scriptedTrainer([2], [1]);
    expect(call('stuffs', at, 9_000)).toBe(1);
    expect(at.calls).toHaveLength(9_001);
    const stuffed = failure(() => call('stuffs', scriptedTrainer([2], [1]), 20_000));
    expect([stuffed.kind, stuffed.message]).toEqual(['output', expect.stringMatching(/^stuffs returned more than 10,000 values in arrays and objects/)]);
    const trapped = scriptedTrainer([2], [1]);
    expect(failure(() => call('trapsLog', trapped)).message).toMatch(/^trapsLog returned a value that cannot be read \(reading it threw: boom\)/);
    expect(trapped.calls).toEqual([]);
    const back = call('returnsTrainer', scriptedTrainer([2], [1])) as { t: unknown; step: unknown };
    expect(back.t, 'the trainer the test passed in').toBeUndefined();
    expect(String(back.step)).toBe('[a function, kept in the sandbox]');
  });

  test('repeated calls: a throw midway ends them, a change on the 250th call only fails them, the draws of all calls share one budget', () => {
    call('reset');
    expect(() => repeat('throwsOn', [300], 500)).toThrow(expect.objectContaining({ name: 'RangeError', message: 'throwsOn: midway' }));
    call('reset');
    const x = { v: [1] };
    expect(failure(() => repeat('mutatesOn', [x, 250], 500)).message).toMatch(/^mutatesOn changed its argument 1/);
    expect(x).toEqual({ v: [1] });
    call('reset');
    const rng = createRng('repeat-budget');
    expect(repeat('drawsOn', [rng, 3, 990_000], 5)).toHaveLength(5);
    expect(drawsOf(rng), 'every draw of the five calls, replayed here').toBe(990_005);
    expect(repeat('drawsEach', [createRng('under'), 1_999], 500), '2,000 draws a call, 500 calls').toHaveLength(500);
    expect(failure(() => repeat('drawsEach', [createRng('over'), 2_500], 500)).message, '2,501 draws a call, 500 calls').toMatch(/^drawsEach drew more than 1,000,000 numbers/);
  });

  test('counts that a proxy, a sparse array, a shared subtree or a cycle would fool; a view into a large buffer crosses as its own elements', () => {
    expect(failure(() => call('proxyArray', 10_000)).message).toMatch(/^proxyArray returned more than 10,000 values/);
    expect(failure(() => call('sparse', 20_000)).message).toMatch(/^sparse returned more than 10,000 values/);
    expect(failure(() => call('sparse', 2 ** 32 - 1)).message).toBe('sparse returned an array with an impossible length');
    expect(failure(() => call('dag', 30)).message, 'a million paths through 60 arrays').toMatch(/^dag returned more than 10,000 values/);
    expect(failure(() => call('cycle')).message).toBe('cycle returned a value nested more than 64 levels deep');
    const viewed = call('view', 24) as { data: Float64Array };
    expect(viewed.data.length).toBe(24);
    expect(viewed.data.buffer.byteLength, 'the 32 MB buffer stayed in the sandbox').toBeLessThan(65_536);
  });
});

// ---------------------------------------------------------------------------------------------

/**
 * If the isolate fell: the sandbox process's own code replaced by a hostile one, started through
 * the same command (the same layers), tries the host. Runs where the grader runs as root with
 * every layer (as in CI); elsewhere the layers are the machine's and this says nothing.
 */
const HOSTILE_HOST = String.raw`
if (process.argv.includes('--probe')) { process.stdout.write('ok\n'); process.exit(0); }
const { PORT, SOCKET, HIDDEN, CANARY, TMP } = JSON.parse(process.argv.at(-2));
const out = {};
const attempt = async (key, run) => { try { await run(); out[key] = 'allowed'; } catch (e) { out[key] = e.code ?? 'refused'; } };
const fs = await import('node:fs');
const net = await import('node:net');
const connect = (options) => new Promise((resolve, reject) => { const s = net.connect(options); s.on('connect', () => { s.destroy(); resolve(); }); s.on('error', reject); setTimeout(() => reject(new Error('timeout')), 2000); });
await attempt('read hidden fixture', () => fs.readFileSync(HIDDEN));
await attempt('list a folder', () => fs.readdirSync(TMP));
await attempt('write a file', () => fs.writeFileSync(CANARY, 'x'));
await attempt('process.binding', () => process.binding('fs'));
await attempt('start a process', async () => (await import('node:child_process')).execFileSync('/bin/true'));
await attempt('start a worker', async () => { const { Worker } = await import('node:worker_threads'); new Worker('0', { eval: true }); });
await attempt('loopback TCP', () => connect({ host: '127.0.0.1', port: PORT }));
await attempt("a Unix socket of the grader's user", () => connect({ path: SOCKET }));
await attempt('signal the grading process', () => process.kill(process.ppid === 1 ? 1 : process.ppid, 0));
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
`;

describe('if the isolate fell: the process layers', () => {
  test('no file read or written, no process or worker, no network, no socket or signal of the grader\'s user', async () => {
    const isRoot = process.getuid?.() === 0;
    const hostDir = join(work, 'hostile-host');
    mkdirSync(hostDir, { mode: 0o755 });
    const hostFile = join(hostDir, 'host.mjs');
    writeFileSync(hostFile, HOSTILE_HOST, { mode: 0o644 });
    const { command, layers } = sandboxCommand(ROOT, hostFile, { totalCpuSeconds: 10, hostHeapMb: 64 });
    if (!isRoot || !layers.unprivilegedUser || !layers.noNetwork || !layers.permissionModel) {
      expect(process.env['CI'], `CI must run with every layer: ${layers.notes.join('; ')}`).toBeFalsy();
      return;
    }
    const config = JSON.stringify({ PORT: port, SOCKET: socketPath, HIDDEN: join(ROOT, 'fixtures', '03-batchnorm', 'hidden.json'), CANARY: canaries[0], TMP: tmpdir() });
    const [cmd, ...args] = command;
    const child = spawn(cmd!, [...args.slice(0, -1), config, args.at(-1)!], { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise((resolve) => child.on('exit', resolve));
    const results = JSON.parse(stdout) as Record<string, string>;
    expect(results).toEqual({
      'read hidden fixture': 'ERR_ACCESS_DENIED',
      'list a folder': 'ERR_ACCESS_DENIED',
      'write a file': 'ERR_ACCESS_DENIED',
      'process.binding': 'ERR_ACCESS_DENIED',
      'start a process': 'ERR_ACCESS_DENIED',
      'start a worker': 'ERR_ACCESS_DENIED',
      'loopback TCP': 'ENETUNREACH',
      "a Unix socket of the grader's user": 'EACCES',
      'signal the grading process': 'EPERM',
    });
    expect(accepted).toBe(0);
    expect(readdirSync(work).filter((n) => n.startsWith('canary'))).toEqual([]);
  });
});

describe('staging a submission that is mostly junk', () => {
  test("the kit's implementation file is read first: a hundred other files cannot crowd it out", async () => {
    const files: Record<string, string> = { '02-weight-init/weight-init.ts': 'export const real = 1;\n' };
    for (let i = 0; i < 120; i++) files[`02-weight-init/aaa${String(i).padStart(3, '0')}.ts`] = 'export {};\n';
    const staged = await stageSubmission(submission('crowded', files), discoverExercises(ROOT), () => []);
    expect(staged.exercises['02-weight-init']!.files['weight-init.ts']!.status).toBe('ok');
    expect(staged.notes.join('\n')).toMatch(/ignored: more than 100 files in one exercise/);
  });

  test('at most 8 MB of sources are read (300 MB took 3 GB of the grader and a frame the sandbox refused)', async () => {
    const big = `export const s = "${'x'.repeat(500 * 1024)}";\n`;
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`0${(i % 6) + 1}-${['activations', 'weight-init', 'batchnorm', 'groupnorm', 'gradient-check', 'mean-image'][i % 6]}/junk${i}.ts`] = big;
    const staged = await stageSubmission(submission('bulky-sources', files), discoverExercises(ROOT), () => []);
    expect(staged.bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(staged.notes.join('\n')).toMatch(/sources add up to more than 8 MB/);
  });
});
