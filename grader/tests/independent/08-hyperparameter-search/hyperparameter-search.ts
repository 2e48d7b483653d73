/**
 * Exercise 08 — hyperparameter search (independent solution, from the brief and the stub). The
 * log-uniform draw as lo · (hi/lo)^u, the grid as a recursive product, the ranking by decorated
 * indices.
 */
import { type Rng } from '../../lib/index.ts';

export type Dimension =
  | { kind: 'logUniform'; lo: number; hi: number }
  | { kind: 'uniform'; lo: number; hi: number }
  | { kind: 'choice'; values: readonly (number | string)[] };

export type Space = Readonly<Record<string, Dimension>>;

export type Config = Record<string, number | string>;

export interface TrialResult {
  config: Config;
  score: number;
}

export interface CoarseToFineOptions {
  top?: number;
  margin?: number;
}

function validRange(fn: string, path: string, lo: unknown, hi: unknown, positive: boolean): void {
  if (typeof lo !== 'number' || !Number.isFinite(lo) || (positive && lo <= 0)) throw new RangeError(`${fn}: '${path}lo' is not a valid lower end: ${String(lo)}`);
  if (typeof hi !== 'number' || !Number.isFinite(hi) || hi < lo) throw new RangeError(`${fn}: '${path}hi' must be a finite number not below lo, got ${String(hi)}`);
}

function dimensions(fn: string, space: Space): [string, Dimension][] {
  const entries = Object.entries(space ?? {});
  for (const [name, d] of entries) {
    switch (d?.kind) {
      case 'logUniform':
        validRange(fn, `space.${name}.`, d.lo, d.hi, true);
        break;
      case 'uniform':
        validRange(fn, `space.${name}.`, d.lo, d.hi, false);
        break;
      case 'choice':
        if (!Array.isArray(d.values) || d.values.length < 1) throw new RangeError(`${fn}: 'space.${name}.values' must not be empty`);
        break;
      default:
        throw new RangeError(`${fn}: 'space.${name}' has an unknown kind`);
    }
  }
  return entries;
}

export function logUniform(rng: Rng, lo: number, hi: number): number {
  validRange('logUniform', '', lo, hi, true);
  return lo * (hi / lo) ** rng.uniform();
}

export function randomSearch(space: Space, trials: number, rng: Rng): Config[] {
  const dims = dimensions('randomSearch', space);
  if (typeof trials !== 'number' || !Number.isInteger(trials) || trials < 0) throw new RangeError(`randomSearch: 'trials' must be a whole number ≥ 0, got ${trials}`);
  return Array.from({ length: trials }, () => {
    const config: Config = {};
    for (const [name, d] of dims) {
      if (d.kind === 'choice') config[name] = d.values[rng.randint(0, d.values.length)]!;
      else if (d.kind === 'uniform') config[name] = d.lo + rng.uniform() * (d.hi - d.lo);
      else config[name] = logUniform(rng, d.lo, d.hi);
    }
    return config;
  });
}

export function gridSearch(space: Space, perDimension: number): Config[] {
  const dims = dimensions('gridSearch', space);
  if (!Number.isInteger(perDimension) || perDimension < 2) throw new RangeError(`gridSearch: 'perDimension' must be an integer of at least 2, got ${perDimension}`);
  const valuesOf = (d: Dimension): readonly (number | string)[] => {
    if (d.kind === 'choice') return d.values;
    const t = (i: number): number => i / (perDimension - 1);
    if (d.kind === 'uniform') return Array.from({ length: perDimension }, (_, i) => d.lo + t(i) * (d.hi - d.lo));
    const [a, b] = [Math.log10(d.lo), Math.log10(d.hi)];
    return Array.from({ length: perDimension }, (_, i) => 10 ** (a + t(i) * (b - a)));
  };
  const product = (i: number): Config[] => {
    if (i === dims.length) return [{}];
    const [name, d] = dims[i]!;
    const rest = product(i + 1);
    return valuesOf(d).flatMap((v) => rest.map((r) => ({ [name]: v, ...r })));
  };
  return product(0);
}

export function rankTrials(results: readonly TrialResult[]): TrialResult[] {
  const decorated = results.map((r, i) => ({ r, i, nan: Number.isNaN(r.score) }));
  decorated.sort((a, b) => {
    if (a.nan !== b.nan) return a.nan ? 1 : -1;
    if (!a.nan && a.r.score !== b.r.score) return a.r.score < b.r.score ? 1 : -1;
    return a.i - b.i;
  });
  return decorated.map((d) => d.r);
}

export function coarseToFine(results: readonly TrialResult[], space: Space, options: CoarseToFineOptions = {}): Space {
  const fn = 'coarseToFine';
  const dims = dimensions(fn, space);
  const top = options.top ?? 3;
  const margin = options.margin ?? 0.1;
  if (!Number.isInteger(top) || top < 1) throw new RangeError(`${fn}: 'top' must be a positive integer, got ${top}`);
  if (!(margin >= 0)) throw new RangeError(`${fn}: 'margin' must be ≥ 0, got ${margin}`);
  results.forEach((r, i) => {
    for (const [name] of dims) if (r.config[name] === undefined) throw new RangeError(`${fn}: 'results[${i}].config' lacks '${name}'`);
  });
  const best = rankTrials(results)
    .slice(0, top)
    .filter((r) => !Number.isNaN(r.score));
  if (best.length === 0) throw new RangeError(`${fn}: 'results' has no trial with a numeric score`);
  const out: Record<string, Dimension> = {};
  for (const [name, d] of dims) {
    if (d.kind === 'choice') {
      out[name] = { kind: 'choice', values: d.values.filter((v) => best.some((r) => r.config[name] === v)) };
    } else if (d.kind === 'uniform') {
      const vs = best.map((r) => r.config[name] as number);
      const pad = margin * (d.hi - d.lo);
      out[name] = { kind: 'uniform', lo: Math.min(...vs) - pad, hi: Math.max(...vs) + pad };
    } else {
      const vs = best.map((r) => Math.log10(r.config[name] as number));
      const pad = margin * Math.log10(d.hi / d.lo);
      out[name] = { kind: 'logUniform', lo: 10 ** (Math.min(...vs) - pad), hi: 10 ** (Math.max(...vs) + pad) };
    }
  }
  return out;
}
