/**
 * Assertions about errors that keep a stub's "not implemented yet" message intact: when the code
 * under test throws `NotImplementedError`, it is rethrown as is instead of becoming a confusing
 * "expected a RangeError" failure.
 */
import { expect } from 'vitest';
import { formatShape, isNotImplementedError } from '../errors.ts';

export interface ExpectedError {
  /** The constructor the error must be: RangeError for shapes and ranges, TypeError for kinds. */
  kind?: typeof RangeError | typeof TypeError;
  /** The function the message must name. */
  fn: string;
  /** The argument the message must name (quoted, as in `'gamma'`). */
  arg?: string;
  /** Shapes the message must show, e.g. the expected and the received one. */
  shapes?: readonly (readonly number[])[];
}

/**
 * Calls `run` and checks it throws an error of the kit's form:
 * `batchnormForward: 'gamma' must have shape [5], got [4]`.
 */
export function expectInputError(run: () => unknown, want: ExpectedError): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  if (isNotImplementedError(thrown)) throw thrown;
  const kind = want.kind ?? RangeError;
  expect(thrown, `${want.fn} should throw a ${kind.name} for this input, but it returned normally`).toBeDefined();
  expect(thrown, `${want.fn} should throw a ${kind.name}, got ${String(thrown)}`).toBeInstanceOf(kind);
  const message = (thrown as Error).message;
  expect(message, `the error message should name the function '${want.fn}'`).toContain(want.fn);
  if (want.arg !== undefined) expect(message, `the error message should name the argument '${want.arg}'`).toContain(`'${want.arg}'`);
  for (const shape of want.shapes ?? []) {
    expect(message, `the error message should show the shape ${formatShape(shape)}`).toContain(formatShape(shape));
  }
}

/**
 * Calls `run`, which must let the error a test function threw reach the caller unchanged (see
 * `failingOnCall` in functions.ts): `Error('f failed on purpose')`.
 */
export function expectErrorOfF(run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  if (isNotImplementedError(thrown)) throw thrown;
  expect(thrown instanceof Error ? thrown.message : thrown, 'the error thrown by f should reach the caller').toBe('f failed on purpose');
}
