/** A page of a `/v1` list: `{"data":[…],"nextCursor"}`. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Every item of a cursor-paged list, page by page as they are consumed: `fetchPage` is given
 * `undefined` for the first page, then each `nextCursor` until it is `null`.
 *
 *     for await (const message of paginate((cursor) =>
 *       unwrap(client.GET('/v1/messages', { params: { query: { cursor, limit: 100 } } })))) { … }
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.data;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
