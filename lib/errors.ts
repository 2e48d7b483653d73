/**
 * Errors shared by the kit. Shape and range problems are `RangeError`s, wrong kinds of value are
 * `TypeError`s, and both name the function, the argument and what was expected:
 * `batchnormForward: 'gamma' must have shape [5], got [4]`.
 */

/** Formats a shape the way every message in the kit writes it: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Builds the kit's shape error: `fn: 'arg' must have shape [5], got [4]`. */
export function shapeError(
  fn: string,
  arg: string,
  expected: readonly number[] | string,
  got: readonly number[],
): RangeError {
  const want = typeof expected === 'string' ? expected : `shape ${formatShape(expected)}`;
  return new RangeError(`${fn}: '${arg}' must have ${want}, got ${formatShape(got)}`);
}

/**
 * Thrown by every stub in `exercises/`. The test setup recognises it (by `name`, so it survives
 * module boundaries and process boundaries) and reports "not implemented yet" without a stack trace.
 */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
  readonly fn: string;
  readonly file: string;

  constructor(fn: string, file: string) {
    super(`not implemented yet: ${fn} (${file})`);
    this.fn = fn;
    this.file = file;
  }
}

/** True for a `NotImplementedError`, including one rebuilt from another module or process. */
export function isNotImplementedError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'NotImplementedError';
}
