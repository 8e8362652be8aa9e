// The PassgateError a call is expected to fail with, caught so a test can assert on its code and
// details. A success, or an error of any other kind, fails the test.
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';

/** The PassgateError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(promise: Promise<unknown>): Promise<PassgateError> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    if (isPassgateError(error)) return error;
    throw error;
  }
  throw new Error(`expected a PassgateError, got a result: ${JSON.stringify(value)?.slice(0, 200)}`);
}

/** The code of the PassgateError `work` throws, or undefined when it returns; anything else is rethrown. */
export function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    if (!isPassgateError(error)) throw error;
    return error.code;
  }
  return undefined;
}
