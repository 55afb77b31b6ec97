/** The message of the GraftError a promise rejects with (a test fails if it resolves or throws anything else). */
import { isGraftError } from '../../src/errors';

export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isGraftError(e)) return e.message;
    throw e;
  }
  throw new Error('expected a failure');
}
