/**
 * `structuredClone` for the submission's realm. Node has it (an HTML API, not a language
 * built-in); the isolate has only the language's built-ins, so code that passes the public suites
 * in Node — `structuredClone(x)` to copy a tensor — would throw "structuredClone is not defined"
 * in the grader. This copies what the HTML algorithm copies of plain data: primitives, plain
 * objects and arrays (own enumerable string keys), typed arrays, DataView and ArrayBuffer (a view's
 * buffer copied once and shared as in the original), Date, RegExp, Map, Set, Error and the boxed
 * primitives, keeping shared references and cycles; a function, a symbol or any other object
 * throws a DataCloneError, as in Node. It runs in the submission's realm with the submission's
 * privileges (none), so it is a convenience, not part of the boundary.
 */
export function structuredCloneForSubmissions(value: unknown): unknown {
  const seen = new Map<object, unknown>();
  const fail = (what: string): never => {
    const error = new Error(`${what} could not be cloned.`);
    error.name = 'DataCloneError';
    throw error;
  };
  const copy = (v: unknown): unknown => {
    if (typeof v === 'function') return fail((v as { name?: string }).name || 'function');
    if (typeof v === 'symbol') return fail(String(v));
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    if (v instanceof ArrayBuffer) {
      const out = v.slice(0);
      seen.set(v, out);
      return out;
    }
    if (ArrayBuffer.isView(v)) {
      const buffer = copy(v.buffer) as ArrayBuffer;
      const Ctor = v.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView;
      const length = v instanceof DataView ? v.byteLength : (v as unknown as { length: number }).length;
      const out = new Ctor(buffer, v.byteOffset, length);
      seen.set(v, out);
      return out;
    }
    if (v instanceof Date) return remember(v, new Date(v.getTime()));
    if (v instanceof RegExp) return remember(v, new RegExp(v.source, v.flags));
    if (v instanceof Boolean || v instanceof Number || v instanceof String) return remember(v, Object(v.valueOf()));
    if (v instanceof Map) {
      const out = new Map();
      seen.set(v, out);
      for (const [k, x] of v) out.set(copy(k), copy(x));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      seen.set(v, out);
      for (const x of v) out.add(copy(x));
      return out;
    }
    if (v instanceof Error) {
      const out = new (v instanceof RangeError ? RangeError : v instanceof TypeError ? TypeError : v instanceof SyntaxError ? SyntaxError : v instanceof ReferenceError ? ReferenceError : Error)(v.message);
      seen.set(v, out);
      if (v.name !== out.name) out.name = String(v.name);
      if (typeof v.stack === 'string') out.stack = v.stack;
      return out;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      seen.set(v, out);
      for (const key of Object.keys(v)) (out as unknown as Record<string, unknown>)[key] = copy((v as unknown as Record<string, unknown>)[key]);
      return out;
    }
    // Any other object is copied as a plain one (its class is not kept), as the HTML algorithm does.
    if (proto === null || typeof proto === 'object') {
      const out: Record<string, unknown> = {};
      seen.set(v, out);
      for (const key of Object.keys(v)) out[key] = copy((v as Record<string, unknown>)[key]);
      return out;
    }
    return fail(Object.prototype.toString.call(v));
  };
  const remember = (from: object, to: unknown): unknown => {
    seen.set(from, to);
    return to;
  };
  return copy(value);
}
