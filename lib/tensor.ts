/**
 * The kit's tensor: a plain, row-major `{ shape, data }` record and free functions over it.
 *
 * Any object of this form is a valid tensor, so a student may build one by hand:
 * `{ shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) }`. Element `[i, j]` of a `[R, C]` tensor
 * lives at `data[i * C + j]`; in general the offset is `Σ_k index[k] · stride[k]` with
 * `stride[k] = Π_{m>k} shape[m]`.
 *
 * Functions never mutate their arguments; each returns a fresh tensor.
 */
import { formatShape, shapeError } from './errors.ts';
import { gemm } from './kernels/matmul.ts';

export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** A nested array of numbers, as `fromNested` reads and `toNested` writes. */
export type Nested = number | Nested[];

/** Number of elements of a tensor of this shape: `Π shape[k]` (1 for a scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides: `stride[k] = Π_{m>k} shape[m]`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = s;
    s *= shape[k]!;
  }
  return strides;
}

/** Converts a flat offset into a multi-index, e.g. offset 5 of `[2, 3]` → `[1, 2]`. */
export function unravelIndex(offset: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  let rest = offset;
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    index[k] = d === 0 ? 0 : rest % d;
    rest = d === 0 ? 0 : Math.floor(rest / d);
  }
  return index;
}

/** Converts a multi-index into a flat offset, checking every coordinate. */
export function ravelIndex(index: readonly number[], shape: readonly number[]): number {
  if (index.length !== shape.length) {
    throw new RangeError(`ravelIndex: 'index' must have ${shape.length} coordinates, got ${index.length}`);
  }
  let offset = 0;
  for (let k = 0; k < shape.length; k++) {
    const i = index[k]!;
    const d = shape[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= d) {
      throw new RangeError(`ravelIndex: index ${formatShape(index)} is out of bounds for shape ${formatShape(shape)}`);
    }
    offset = offset * d + i;
  }
  return offset;
}

function checkShape(fn: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${fn}: 'shape' must be an array of non-negative integers, got ${describe(shape)}`);
  }
}

/** Short description of any value for error messages, without dumping large data. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length <= 8 ? `[${value.map(describe).join(', ')}]` : `an array of length ${value.length}`;
  if (value instanceof Float64Array) return `a Float64Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return isTensor(value) ? `a tensor of shape ${formatShape(value.shape)}` : 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/**
 * Makes a tensor of `shape`. Without `data` it is all zeros. A `Float64Array` is used as is (not
 * copied); any other array of numbers is copied into a new `Float64Array`.
 *
 * @throws RangeError when `data.length` is not `Π shape`.
 */
export function tensor(shape: readonly number[], data?: Float64Array | ArrayLike<number>): Tensor {
  checkShape('tensor', shape);
  const n = sizeOf(shape);
  if (data === undefined) return { shape: [...shape], data: new Float64Array(n) };
  if (data.length !== n) {
    throw new RangeError(`tensor: 'data' has ${data.length} elements but shape ${formatShape(shape)} needs ${n}`);
  }
  return { shape: [...shape], data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

/** True when `value` has the tensor form: an integer `shape` and a `Float64Array` of matching length. */
export function isTensor(value: unknown): value is Tensor {
  if (typeof value !== 'object' || value === null) return false;
  const { shape, data } = value as { shape?: unknown; data?: unknown };
  return (
    Array.isArray(shape) &&
    shape.every((d) => Number.isInteger(d) && d >= 0) &&
    data instanceof Float64Array &&
    data.length === sizeOf(shape)
  );
}

/**
 * Checks that `value` is a tensor.
 * @throws TypeError naming `fn` and `arg` when it is not (wrong kind, or data length ≠ Π shape).
 */
export function assertTensor(fn: string, arg: string, value: unknown): asserts value is Tensor {
  if (isTensor(value)) return;
  const v = value as { shape?: unknown; data?: unknown } | null;
  if (typeof v === 'object' && v !== null && Array.isArray(v.shape) && v.data instanceof Float64Array) {
    throw new TypeError(
      `${fn}: '${arg}' has shape ${formatShape(v.shape as number[])} but ${v.data.length} elements in 'data'`,
    );
  }
  throw new TypeError(`${fn}: '${arg}' must be a tensor { shape, data: Float64Array }, got ${describe(value)}`);
}

/**
 * Checks a tensor's shape. `expected` entries may be `null` (any size), and `dims` names the axes
 * for the message, e.g. `assertShape('layernormForward', 'x', x, [null, null], '[N, D]')`.
 * @throws RangeError `fn: 'arg' must have shape [5], got [4]`.
 */
export function assertShape(
  fn: string,
  arg: string,
  t: unknown,
  expected: readonly (number | null)[],
  dims?: string,
): asserts t is Tensor {
  assertTensor(fn, arg, t);
  const ok = t.shape.length === expected.length && expected.every((d, k) => d === null || d === t.shape[k]);
  if (ok) return;
  const wildcard = expected.some((d) => d === null);
  if (wildcard) {
    const want = `${expected.length} dimensions${dims ? ` ${dims}` : ''}`;
    if (t.shape.length !== expected.length) throw shapeError(fn, arg, want, t.shape);
    const concrete = expected.map((d, k) => (d === null ? t.shape[k]! : d));
    throw shapeError(fn, arg, concrete, t.shape);
  }
  throw shapeError(fn, arg, expected as number[], t.shape);
}

/** True when two shapes are equal axis by axis. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** All zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return tensor(shape);
}

/** All ones. */
export function ones(shape: readonly number[]): Tensor {
  return full(shape, 1);
}

/** Every element equal to `value`. */
export function full(shape: readonly number[], value: number): Tensor {
  const t = tensor(shape);
  t.data.fill(value);
  return t;
}

/** A tensor of the same shape, all zeros. */
export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape);
}

/** `num` evenly spaced values from `start` to `stop` inclusive, shape `[num]` (as numpy.linspace). */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`linspace: 'num' must be a non-negative integer, got ${num}`);
  const t = tensor([num]);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) t.data[i] = start + i * step;
  if (num > 1) t.data[num - 1] = stop;
  return t;
}

/** `start, start + step, …` up to but excluding `stop`, shape `[n]` (as numpy.arange). `arange(5)` is 0…4. */
export function arange(start: number, stop?: number, step = 1): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new RangeError(`arange: 'step' must not be 0`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const t = tensor([n]);
  for (let i = 0; i < n; i++) t.data[i] = start + i * step;
  return t;
}

/** Reads a nested array such as `[[1, 2], [3, 4]]` into a tensor of shape `[2, 2]`. Ragged arrays are a RangeError. */
export function fromNested(nested: Nested): Tensor {
  const shape: number[] = [];
  let level: Nested = nested;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  const data = new Float64Array(sizeOf(shape));
  let offset = 0;
  const walk = (node: Nested, depth: number): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw new RangeError(`fromNested: ragged nested array (expected a number at depth ${depth})`);
      data[offset++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new RangeError(`fromNested: ragged nested array (expected ${shape[depth]} entries at depth ${depth})`);
    }
    for (const child of node) walk(child, depth + 1);
  };
  walk(nested, 0);
  return { shape, data };
}

/** Writes a tensor as nested arrays (a number for shape `[]`). */
export function toNested(t: Tensor): Nested {
  let offset = 0;
  const build = (depth: number): Nested => {
    if (depth === t.shape.length) return t.data[offset++]!;
    const out: Nested[] = [];
    for (let i = 0; i < t.shape[depth]!; i++) out.push(build(depth + 1));
    return out;
  };
  return build(0);
}

/** A copy with its own data. */
export function clone(t: Tensor): Tensor {
  return { shape: [...t.shape], data: t.data.slice() };
}

/**
 * Same data, new shape (one entry may be -1 and is inferred). The data is copied, so the result is
 * independent of `t`.
 */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const n = t.data.length;
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) throw new RangeError(`reshape: at most one axis may be -1, got ${formatShape(shape)}`);
  let resolved = [...shape];
  if (inferred === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || n % known !== 0) {
      throw new RangeError(`reshape: cannot reshape ${formatShape(t.shape)} into ${formatShape(shape)}`);
    }
    resolved = shape.map((d) => (d === -1 ? n / known : d));
  }
  checkShape('reshape', resolved);
  if (sizeOf(resolved) !== n) {
    throw new RangeError(`reshape: cannot reshape ${formatShape(t.shape)} (${n} elements) into ${formatShape(shape)}`);
  }
  return { shape: resolved, data: t.data.slice() };
}

/** Applies `f` to every element: `out[i] = f(t[i], i)`. */
export function map(t: Tensor, f: (value: number, offset: number) => number): Tensor {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(t.data[i]!, i);
  return { shape: [...t.shape], data: out };
}

/**
 * The shape two shapes broadcast to, numpy style: align from the right; sizes must be equal or 1.
 * @throws RangeError naming `fn` when they do not broadcast.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[], fn = 'broadcastShapes'): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let k = 0; k < rank; k++) {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${fn}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
    }
    out[k] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Combines two tensors (or a tensor and a number) elementwise with numpy broadcasting:
 * `map2(x [N, D], mu [D], (a, b) => a - b)` subtracts `mu` from every row.
 */
export function map2(a: Tensor | number, b: Tensor | number, f: (x: number, y: number) => number, fn = 'map2'): Tensor {
  const ta = typeof a === 'number' ? { shape: [] as number[], data: Float64Array.of(a) } : a;
  const tb = typeof b === 'number' ? { shape: [] as number[], data: Float64Array.of(b) } : b;
  const shape = broadcastShapes(ta.shape, tb.shape, fn);
  const out = new Float64Array(sizeOf(shape));
  if (shapesEqual(ta.shape, tb.shape)) {
    for (let i = 0; i < out.length; i++) out[i] = f(ta.data[i]!, tb.data[i]!);
    return { shape, data: out };
  }
  const rank = shape.length;
  // Strides of each operand over the broadcast shape: 0 along axes the operand repeats.
  const stridesFor = (s: readonly number[]): number[] => {
    const own = stridesOf(s);
    return shape.map((_, k) => {
      const j = k - (rank - s.length);
      return j < 0 || s[j] === 1 ? 0 : own[j]!;
    });
  };
  const sa = stridesFor(ta.shape);
  const sb = stridesFor(tb.shape);
  const index = new Array<number>(rank).fill(0);
  let oa = 0;
  let ob = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = f(ta.data[oa]!, tb.data[ob]!);
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      oa += sa[k]!;
      ob += sb[k]!;
      if (index[k]! < shape[k]!) break;
      oa -= sa[k]! * shape[k]!;
      ob -= sb[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return { shape, data: out };
}

/** `a + b` elementwise, with broadcasting. */
export const add = (a: Tensor | number, b: Tensor | number): Tensor => map2(a, b, (x, y) => x + y, 'add');
/** `a − b` elementwise, with broadcasting. */
export const sub = (a: Tensor | number, b: Tensor | number): Tensor => map2(a, b, (x, y) => x - y, 'sub');
/** `a · b` elementwise, with broadcasting. */
export const mul = (a: Tensor | number, b: Tensor | number): Tensor => map2(a, b, (x, y) => x * y, 'mul');
/** `a / b` elementwise, with broadcasting. */
export const div = (a: Tensor | number, b: Tensor | number): Tensor => map2(a, b, (x, y) => x / y, 'div');

/** `e^x` elementwise. */
export const exp = (t: Tensor): Tensor => map(t, Math.exp);
/** `√x` elementwise. */
export const sqrt = (t: Tensor): Tensor => map(t, Math.sqrt);
/** `x²` elementwise. */
export const square = (t: Tensor): Tensor => map(t, (x) => x * x);

function normalizeAxes(fn: string, t: Tensor, axis: number | readonly number[] | undefined): number[] {
  const rank = t.shape.length;
  if (axis === undefined) return t.shape.map((_, k) => k);
  const axes = (typeof axis === 'number' ? [axis] : [...axis]).map((a) => (a < 0 ? a + rank : a));
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= rank) {
      throw new RangeError(`${fn}: axis ${describe(axis)} is out of range for shape ${formatShape(t.shape)}`);
    }
  }
  if (new Set(axes).size !== axes.length) throw new RangeError(`${fn}: repeated axis in ${describe(axis)}`);
  return axes.sort((x, y) => x - y);
}

export interface ReduceOptions {
  /** Keep reduced axes as size 1 (numpy's `keepdims`), so the result broadcasts against the input. */
  keepDims?: boolean;
}

function reduce(
  fn: string,
  t: Tensor,
  axis: number | readonly number[] | undefined,
  options: ReduceOptions,
  body: (out: Float64Array, outOffsets: Int32Array) => void,
): Tensor {
  const reduced = new Set(normalizeAxes(fn, t, axis));
  const keptShape = t.shape.filter((_, k) => !reduced.has(k));
  const outShape = options.keepDims ? t.shape.map((d, k) => (reduced.has(k) ? 1 : d)) : keptShape;
  const out = new Float64Array(sizeOf(keptShape));
  // outStep[k]: how far the output offset moves when input axis k advances (0 on reduced axes).
  const keptStrides = stridesOf(keptShape);
  let kept = 0;
  const outStep = t.shape.map((_, k) => (reduced.has(k) ? 0 : keptStrides[kept++]!));
  const outOffsets = new Int32Array(t.data.length);
  const rank = t.shape.length;
  const index = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < t.data.length; i++) {
    outOffsets[i] = o;
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      o += outStep[k]!;
      if (index[k]! < t.shape[k]!) break;
      o -= outStep[k]! * t.shape[k]!;
      index[k] = 0;
    }
  }
  body(out, outOffsets);
  return { shape: outShape, data: out };
}

/** `Σ` over `axis` (a number, a list, or every axis when omitted). `sum(x [N, D], 0)` → `[D]`. */
export function sum(t: Tensor, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return reduce('sum', t, axis, options, (out, outOffsets) => {
    for (let i = 0; i < t.data.length; i++) out[outOffsets[i]!]! += t.data[i]!;
  });
}

/** Number of elements each output of a reduction over `axis` combines. */
function reducedCount(t: Tensor, axis?: number | readonly number[]): number {
  const axes = normalizeAxes('mean', t, axis);
  return axes.reduce((n, a) => n * t.shape[a]!, 1);
}

/** Mean over `axis`: `Σ x / n`. `mean(x [N, D], 0)` → per-feature means `[D]`. */
export function mean(t: Tensor, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const n = reducedCount(t, axis);
  const s = sum(t, axis, options);
  return { shape: s.shape, data: s.data.map((v) => v / n) };
}

export interface VarianceOptions extends ReduceOptions {
  /** Delta degrees of freedom: divide by `n − ddof`. Default 0, the biased (population) variance. */
  ddof?: number;
}

/**
 * Variance over `axis`: `Σ (x − mean)² / (n − ddof)`, two-pass for accuracy.
 * NOTE: the default `ddof = 0` is the biased variance that batch norm uses.
 */
export function variance(t: Tensor, axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  const n = reducedCount(t, axis);
  const mu = mean(t, axis, { keepDims: true });
  const centred = sub(t, mu);
  const s = sum(square(centred), axis, options);
  const denom = n - (options.ddof ?? 0);
  return { shape: s.shape, data: s.data.map((v) => v / denom) };
}

/** Largest element over `axis`. */
export function max(t: Tensor, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return reduce('max', t, axis, options, (out, outOffsets) => {
    out.fill(-Infinity);
    for (let i = 0; i < t.data.length; i++) {
      const o = outOffsets[i]!;
      if (t.data[i]! > out[o]! || Number.isNaN(t.data[i]!)) out[o] = t.data[i]!;
    }
  });
}

/**
 * Matrix product `a [M, K] · b [K, N] → [M, N]`. The arithmetic lives in the `gemm` kernel.
 * @throws RangeError when the inner dimensions differ.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertShape('matmul', 'a', a, [null, null], '[M, K]');
  assertShape('matmul', 'b', b, [null, null], '[K, N]');
  const [m, k] = a.shape as [number, number];
  const [k2, n] = b.shape as [number, number];
  if (k !== k2) throw shapeError('matmul', 'b', [k, n], b.shape);
  const out = new Float64Array(m * n);
  gemm(m, n, k, a.data, b.data, out);
  return { shape: [m, n], data: out };
}

/**
 * Permutes axes: `out[i_perm[0], …] = t[i_0, …]` as numpy.transpose. Without `perm`, reverses the
 * axes, so a `[M, N]` matrix becomes `[N, M]`.
 */
export function transpose(t: Tensor, perm?: readonly number[]): Tensor {
  const rank = t.shape.length;
  const axes = perm ? [...perm] : t.shape.map((_, k) => rank - 1 - k);
  const valid = axes.length === rank && [...axes].sort((x, y) => x - y).every((a, k) => a === k);
  if (!valid) throw new RangeError(`transpose: 'perm' ${describe(perm)} is not a permutation of the axes of ${formatShape(t.shape)}`);
  const shape = axes.map((a) => t.shape[a]!);
  const inStrides = stridesOf(t.shape);
  const stepFor = axes.map((a) => inStrides[a]!);
  const out = new Float64Array(t.data.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = t.data[src]!;
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      src += stepFor[k]!;
      if (index[k]! < shape[k]!) break;
      src -= stepFor[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return { shape, data: out };
}

/** Element at a multi-index: `get(x, i, j)` is `x[i, j]`. */
export function get(t: Tensor, ...index: number[]): number {
  return t.data[ravelIndex(index, t.shape)]!;
}

export interface FormatOptions {
  /** Significant digits per number. Default 6. */
  precision?: number;
  /** Show at most this many entries per axis; the middle is elided with `…`. Default 6. */
  edgeItems?: number;
}

/** Formats one number compactly: fixed or exponent notation, NaN and ±Infinity spelled out. */
export function formatNumber(v: number, precision = 6): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e6) return String(Number(v.toPrecision(precision)));
  return v.toExponential(Math.max(0, precision - 1)).replace(/\.?0+e/, 'e');
}

/**
 * Pretty-prints a tensor as nested rows, numpy style, eliding long axes:
 * `tensor([2, 2]) [[1, 2], [3, 4]]`.
 */
export function formatTensor(t: Tensor, options: FormatOptions = {}): string {
  const precision = options.precision ?? 6;
  const edge = options.edgeItems ?? 6;
  const strides = stridesOf(t.shape);
  const render = (depth: number, offset: number, indent: string): string => {
    if (depth === t.shape.length) return formatNumber(t.data[offset]!, precision);
    const n = t.shape[depth]!;
    const picks: (number | null)[] = [];
    if (n <= 2 * edge) for (let i = 0; i < n; i++) picks.push(i);
    else {
      for (let i = 0; i < edge; i++) picks.push(i);
      picks.push(null);
      for (let i = n - edge; i < n; i++) picks.push(i);
    }
    const parts = picks.map((i) => (i === null ? '…' : render(depth + 1, offset + i * strides[depth]!, `${indent} `)));
    const sep = depth === t.shape.length - 1 ? ', ' : `,\n${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const prefix = `tensor(${formatShape(t.shape)}) `;
  return prefix + render(0, 0, ' '.repeat(prefix.length));
}
