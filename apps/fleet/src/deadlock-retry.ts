/**
 * A batch's statement locks its rows in whatever order the plan visits them, so it may meet a
 * transaction locking some of the same rows in another order (a state change of many devices):
 * PostgreSQL then aborts one of them (40P01). The batch was rolled back whole; write it again.
 * Fleet's report batches run through this inside their group commit's `run`, so a deadlock
 * costs one more statement, not one transaction per report (the group commit's fallback).
 */
export async function retryingDeadlocks<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts || (error as { code?: unknown }).code !== '40P01') throw error;
    }
  }
}
