import { decodeCursor, InvalidCursorError } from '@wagate/db';
import { DomainError, ErrorKey } from '@wagate/errors';

/** The key a List call's cursor carries; a malformed cursor is the caller's INVALID_ARGUMENT. */
export function readCursor<K extends readonly string[]>(
  cursor: string,
  isValidKey: (key: readonly string[]) => key is K,
): K | undefined {
  try {
    return decodeCursor(cursor, isValidKey);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new DomainError(ErrorKey.Invalid, error.message);
    throw error;
  }
}
