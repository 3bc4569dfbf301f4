import { type QueryKey, useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { FormError, Loading } from './form';

/**
 * A long list read one page at a time through the API's cursors: "More" asks for the page
 * after the last one shown, with the `nextCursor` the API gave.
 */
export function CursorList<T>(props: {
  queryKey: QueryKey;
  what: string;
  fetchPage: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>;
  render: (items: T[]) => ReactNode;
}) {
  const query = useInfiniteQuery({
    queryKey: props.queryKey,
    queryFn: ({ pageParam }) => props.fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (query.isPending) return <Loading what={props.what} />;
  if (query.isError) return <FormError error={query.error} />;
  const items = query.data.pages.flatMap((page) => page.data);
  return (
    <>
      {items.length === 0 ? <p className="muted">No {props.what} yet.</p> : props.render(items)}
      {query.hasNextPage && (
        <button type="button" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          More {props.what}
        </button>
      )}
    </>
  );
}
