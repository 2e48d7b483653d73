/**
 * What a suite's import of an exercise file becomes in the grader: the grading process's vite
 * plugin (grader/remote-plugin.ts) generates a module that exports, for each name the reference
 * solution exports, one of these proxies. A proxy finds the current submission's sandbox at each
 * use, so one module serves every submission a test worker grades.
 */
import { sandbox } from './sandbox.ts';

/** The submission's function behind each proxy (for numerical gradients computed in the sandbox). */
export const remoteTargets = new WeakMap<object, { exercise: string; file: string; fn: string }>();

/** A synchronous proxy for the submission's function `fn` of `exercise/file`. */
export function remoteFunction(exercise: string, file: string, fn: string): (...args: unknown[]) => unknown {
  const proxy = (...args: unknown[]): unknown => sandbox().call(exercise, file, fn, args);
  Object.defineProperty(proxy, 'name', { value: fn });
  remoteTargets.set(proxy, { exercise, file, fn });
  return proxy;
}

/** The submission's exported value `name` (a constant), read when the suite imports it. */
export function remoteValue(exercise: string, file: string, name: string): unknown {
  try {
    return sandbox().read(exercise, file, name);
  } catch {
    return undefined; // the tests that use it fail on their own, with the reason from a call
  }
}

/** A class cannot cross: every use of it says so. */
export function remoteClass(name: string): (...args: unknown[]) => never {
  return () => {
    throw new Error(`${name} is a class; the grader passes only functions and data between a suite and a submission`);
  };
}
