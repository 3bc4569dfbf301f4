/** Quotas count per UTC day and per UTC month. */
export function quotaPeriods(at: Date): { day: string; month: string } {
  const iso = at.toISOString();
  return { day: iso.slice(0, 10), month: iso.slice(0, 7) };
}
