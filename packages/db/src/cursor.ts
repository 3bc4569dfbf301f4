/**
 * Keyset pagination for the services' List calls. A page is read as "the rows after this sort
 * key", never by offset, so rows written while a client pages through a list neither shift nor
 * repeat what it sees.
 *
 * A cursor is the sort key of the last row of a page: base64url of a JSON array of strings.
 * Clients must treat it as opaque and only echo it; its format may change with the sort key.
 */

/** The page size when a caller asks for none (limit 0). */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** The cursor was not one a List call returned (truncated, edited, or from another list). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';

  constructor() {
    super(
      'cursor is malformed: pass next_cursor from the previous page unchanged, or no cursor for the first page',
    );
  }
}

/**
 * The page size to use for a requested `limit`: 0 (unset) means the default; anything outside
 * 1..MAX_PAGE_SIZE is clamped into it rather than refused, so a too-large limit still answers.
 */
export function pageSize(requested: number): number {
  if (requested === 0 || !Number.isFinite(requested)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(requested)));
}

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The sort key a cursor carries, or undefined for the first page (an empty cursor). Throws
 * InvalidCursorError unless the cursor decodes to an array of strings that `isValidKey`
 * accepts: a list checks the key's shape there, so a forged key never reaches its SQL.
 */
export function decodeCursor<K extends readonly string[]>(
  cursor: string,
  isValidKey: (key: readonly string[]) => key is K,
): K | undefined {
  if (cursor === '') return undefined;
  // Node's base64url decoder skips characters outside the alphabet instead of failing.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(key) || !key.every((part) => typeof part === 'string') || !isValidKey(key)) {
    throw new InvalidCursorError();
  }
  return key;
}

/**
 * Cuts one page from rows read with `limit size + 1`: the extra row only tells that another
 * page exists, and the cursor points after the last row returned. `nextCursor` is empty on the
 * last page.
 */
export function pageOf<T>(
  rows: readonly T[],
  size: number,
  keyOf: (row: T) => readonly string[],
): { rows: T[]; nextCursor: string } {
  if (rows.length <= size) return { rows: [...rows], nextCursor: '' };
  const page = rows.slice(0, size);
  return { rows: page, nextCursor: encodeCursor(keyOf(page[page.length - 1]!)) };
}
