/**
 * Diagnoses: when a test fails, each recorded call into the submission is replayed on the trusted
 * side against the reference solution and against every known mistake of that function (an edit of
 * the reference, see grader/exercises/mistake.ts). A mistake is named only when it explains every
 * recorded call of its function — the same outputs as the submission wherever the submission
 * differs from the reference, and wherever it agrees — and no other known mistake does; otherwise
 * the feedback says what failed and makes no guess.
 *
 * Calls whose arguments came out of earlier calls (a backward pass given the forward pass's cache)
 * are replayed through those earlier calls, so a backward mistake is judged on the mistaken
 * reference's own cache. Runs in the test worker, where the inputs and outputs live.
 */
import { compareAllClose } from '../../lib/allclose.ts';
import { advanceRng, createRng } from '../../lib/random.ts';
import { isTensor } from '../../lib/tensor.ts';
import type { Mistake } from '../exercises/mistake.ts';
import type { CallRecord, TestRecord } from './records.ts';
import { provenance, RngSnapshot } from './sandbox.ts';

export interface Diagnosis {
  exercise: string;
  fn: string;
  mistake: string;
  hint: string;
}

type Module = Record<string, unknown>;

/** A closeness strict enough that only the same computation matches. */
const SAME = { rtol: 1e-6, atol: 1e-9 };
/**
 * Replays one failed test may run, in all: diagnosis is a courtesy and never holds a test worker
 * for long. Counted in replays, not milliseconds, so the same submission gets the same diagnoses
 * on an idle machine and on a busy one.
 */
const REPLAY_BUDGET = 200;

const mistakesCache = new Map<string, Promise<Mistake[]>>();
const moduleCache = new Map<string, Promise<Module | null>>();

function loadMistakes(root: string, exercise: string): Promise<Mistake[]> {
  let loaded = mistakesCache.get(exercise);
  if (!loaded) {
    loaded = import(/* @vite-ignore */ `${root}/grader/exercises/${exercise}/mistakes.ts`)
      .then((m: { mistakes?: Mistake[] }) => (Array.isArray(m.mistakes) ? m.mistakes : []))
      .catch(() => []);
    mistakesCache.set(exercise, loaded);
  }
  return loaded;
}

/** The reference module of a file, or its variant with one mistake applied. */
function loadVariant(root: string, exercise: string, file: string, mistake: Mistake | null): Promise<Module | null> {
  const useMistake = mistake !== null && mistake.file === file;
  // The edit travels in the query (see remote-plugin.ts): the plugin applies it without loading
  // the mistakes file itself.
  const query = useMistake ? `?gradlab-mistake=${Buffer.from(JSON.stringify({ id: mistake.id, replace: mistake.replace })).toString('base64url')}` : '';
  const path = `${root}/solutions/${exercise}/${file}${query}`;
  let loaded = moduleCache.get(path);
  if (!loaded) {
    loaded = import(/* @vite-ignore */ path).then((m: Module) => m).catch(() => null);
    moduleCache.set(path, loaded);
  }
  return loaded;
}

/**
 * A string the exercises return as a value of a closed set ('lr-too-high', 'memorized'): a word or
 * words joined by hyphens. Sentences for a human (a sanity check's `detail`) are the student's own
 * wording and are never compared.
 */
const LABEL = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Whether the submission's result matches a reference result: every tensor or number the reference
 * returns (outside its `cache`, whose layout is the student's design) is within `SAME`, and every
 * boolean and label (`LABEL`) is the same. Null when there is nothing to compare.
 */
export function sameOutputs(submission: unknown, reference: unknown, depth = 0): boolean | null {
  if (depth > 6) return null;
  if (typeof reference === 'number' || isTensor(reference)) return compareAllClose(submission, reference, SAME).kind === 'ok';
  if (typeof reference === 'boolean') return submission === reference;
  if (typeof reference === 'string') return reference.length <= 40 && LABEL.test(reference) ? submission === reference : null;
  if (reference === null || typeof reference !== 'object' || submission === null || typeof submission !== 'object') return null;
  let compared = false;
  const entries: [string | number, unknown][] = Array.isArray(reference)
    ? reference.map((v, i) => [i, v])
    : Object.entries(reference).filter(([k]) => k !== 'cache');
  for (const [key, ref] of entries) {
    const verdict = sameOutputs((submission as Record<string | number, unknown>)[key], ref, depth + 1);
    if (verdict === false) return false;
    if (verdict === true) compared = true;
  }
  return compared ? true : null;
}

class Replayer {
  readonly #results = new Map<CallRecord, Promise<unknown>>();

  constructor(
    readonly root: string,
    readonly mistake: Mistake | null,
  ) {}

  replay(record: CallRecord): Promise<unknown> {
    let result = this.#results.get(record);
    if (!result) {
      result = this.#run(record);
      this.#results.set(record, result);
    }
    return result;
  }

  async #run(record: CallRecord): Promise<unknown> {
    const module = await loadVariant(this.root, record.exercise, record.file, this.mistake);
    const fn = module?.[record.fn];
    if (typeof fn !== 'function') throw new Error(`no ${record.fn}`);
    const args = await this.#substitute(record.args, 0);
    return (fn as (...a: unknown[]) => unknown)(...(args as unknown[]));
  }

  async #substitute(value: unknown, depth: number): Promise<unknown> {
    if (value === null || typeof value !== 'object' || depth > 20) return value;
    const origin = provenance.get(value);
    if (origin) {
      let v = await this.replay(origin.record);
      for (const key of origin.path) v = (v as Record<string | number, unknown>)[key];
      return v;
    }
    if (value instanceof RngSnapshot) {
      const rng = createRng(value.seed);
      advanceRng(rng, value.drawn);
      return rng;
    }
    if (ArrayBuffer.isView(value)) return ArrayBuffer.isView(value) && value instanceof Float64Array ? value.slice() : value;
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.#substitute(v, depth + 1)));
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await this.#substitute(v, depth + 1);
    return out;
  }
}

/** The likely mistakes behind a failed test, from the calls it made (each named at most once). */
export async function diagnose(record: TestRecord, root: string): Promise<Diagnosis[]> {
  let budget = REPLAY_BUDGET;
  const reference = new Replayer(root, null);
  const replayers = new Map<string, Replayer>();
  const replay = async (replayer: Replayer, call: CallRecord): Promise<unknown> => {
    if (budget-- <= 0) throw new Error('out of replays');
    return replayer.replay(call);
  };
  // The recorded calls of each function, with the reference's verdict on each.
  const byFn = new Map<string, { call: CallRecord; correct: unknown; differs: boolean }[]>();
  for (const call of record.calls) {
    if (call.failed) continue;
    let correct: unknown;
    try {
      correct = await replay(reference, call);
    } catch {
      continue;
    }
    const same = sameOutputs(call.result, correct);
    if (same === null) continue;
    const key = `${call.exercise}\0${call.fn}`;
    byFn.set(key, [...(byFn.get(key) ?? []), { call, correct, differs: !same }]);
  }
  const found: Diagnosis[] = [];
  for (const calls of byFn.values()) {
    if (!calls.some((c) => c.differs)) continue;
    const { exercise, fn } = calls[0]!.call;
    const candidates: Mistake[] = [];
    for (const mistake of (await loadMistakes(root, exercise)).filter((m) => m.fn === fn)) {
      let replayer = replayers.get(`${exercise}/${mistake.id}`);
      if (!replayer) {
        replayer = new Replayer(root, mistake);
        replayers.set(`${exercise}/${mistake.id}`, replayer);
      }
      let explains = true;
      for (const { call } of calls) {
        try {
          if (sameOutputs(call.result, await replay(replayer, call)) !== true) explains = false;
        } catch {
          explains = false;
        }
        if (!explains) break;
      }
      if (explains) candidates.push(mistake);
      if (budget <= 0) break;
    }
    // Two signatures that both fit are a guess between them: name neither.
    if (candidates.length === 1) found.push({ exercise, fn, mistake: candidates[0]!.id, hint: candidates[0]!.hint });
  }
  return found;
}
