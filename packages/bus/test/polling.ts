/** Polls until `condition` holds; fails naming `what` after `timeoutMs`. Never asserts on speed. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resource types keeping the event loop alive (sockets, ref'ed timers), counted by type. */
export function activeResourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** Types of which there are more now than in `baseline`, e.g. `TCPSocketWrap +1`. */
export function resourcesAbove(baseline: Map<string, number>): string[] {
  const extra: string[] = [];
  for (const [type, count] of activeResourceCounts()) {
    const more = count - (baseline.get(type) ?? 0);
    if (more > 0) extra.push(`${type} +${more}`);
  }
  return extra;
}
