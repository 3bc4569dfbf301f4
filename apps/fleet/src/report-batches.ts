import { createGroupCommit, type GroupCommit } from '@wagate/db';

/**
 * What the agent streams report (results, receipts, heartbeats: thousands a second from a
 * farm), written a batch at a time through the code's one group commit: each batch waits out
 * the current turn of the event loop, so reports read from many streams in one turn share it;
 * lanes by `keyOf` (a job, a message, a device), so two batches written at once never lock the
 * same row; a batch that meets a deadlock is written again whole (see `retryingDeadlocks`)
 * before the group commit falls back to one transaction per report. Reports that must stay in
 * order (a message's result before its receipts) already wait for each other.
 */
export function reportBatches<Report, Answer>(options: {
  write: (reports: Report[]) => Promise<Answer[]>;
  maxReports: number;
  lanes: number;
  keyOf: (report: Report) => string;
}): GroupCommit<Report, Answer> {
  return createGroupCommit({
    run: (reports: Report[]) => retryingDeadlocks(() => options.write(reports)),
    sizeOf: () => 1,
    maxSize: options.maxReports,
    concurrency: 1,
    gatherTurn: true,
    lanes: { count: options.lanes, keyOf: options.keyOf },
  });
}

/**
 * A batch's statement locks its rows in whatever order the plan visits them, so it may meet a
 * transaction locking some of the same rows in another order (a state change of many devices):
 * PostgreSQL then aborts one of them (40P01). The batch was rolled back whole; write it again.
 */
async function retryingDeadlocks<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts || (error as { code?: unknown }).code !== '40P01') throw error;
    }
  }
}
