/**
 * Statuses can arrive out of order (a READ before its DELIVERED). The message shows the
 * furthest status reached; every status still goes into the history and to the callback.
 */
const rank: Record<string, number> = {
  ACCEPTED: 0,
  SENT: 1,
  DELIVERED: 2,
  READ: 3,
  FAILED: 10,
  EXPIRED: 10,
};

export function isAdvance(current: string, next: string): boolean {
  return (rank[next] ?? -1) > (rank[current] ?? -1);
}
