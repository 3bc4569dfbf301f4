import { describeStatusError, StatusErrorCode } from '@wagate/errors';
import { BoundedMap } from '../../bounded-map.js';
import type { ReceiptKind, SendJob, SendOutcome } from '../../driver.js';

export interface JobDeadlines {
  /** How long a job waits for the phone to poll for it; then it is withdrawn, unsent. */
  pickupMs: number;
  /** How long after the phone took a job its result may take; then the outcome is unknown. */
  resultMs: number;
}

/** What the phone says of a job it took. `not_on_whatsapp` is WhatsApp's "not on WhatsApp" dialog. */
export type PhoneReport = { sent: true } | { sent: false; error: string };

export const notOnWhatsAppError = 'not_on_whatsapp';

export type ReportAnswer = 'accepted' | 'repeated' | 'expired' | 'unknown';
export type ReceiptAnswer =
  | { kind: 'accepted'; messageId: string }
  | { kind: 'repeated' | 'unknown' | 'not-sent' };

interface OutJob {
  job: SendJob;
  handedOut: boolean;
  timer: NodeJS.Timeout;
  settle(outcome: SendOutcome): void;
  fail(error: Error): void;
}

type Finished =
  | { state: 'sent'; messageId: string; receipts: Set<ReceiptKind> }
  | { state: 'not-sent' }
  | { state: 'expired' };

/**
 * One phone's job desk: at most one job is out at a time. A poll gets the job that is out
 * (again, if the phone polls without reporting: same jobId, so the phone can tell), or waits
 * for one. The job stays out until the phone reports its result or a deadline passes.
 */
export class PhoneJobs {
  #current: OutJob | undefined;
  readonly #waiters = new Set<() => void>();
  readonly #finished = new BoundedMap<string, Finished>(1_000);
  #closed = false;
  /** When the phone last asked for a job (ms since the epoch). */
  lastPollAtMs: number | undefined;

  constructor(
    private readonly deviceKey: string,
    private readonly deadlines: JobDeadlines,
  ) {}

  /** Hands `job` to the phone's next poll and waits for its report. One at a time. */
  run(job: SendJob): Promise<SendOutcome> {
    if (this.#closed) return Promise.reject(new Error(`automation phone ${this.deviceKey} is closed`));
    if (this.#current)
      return Promise.reject(new Error(`automation phone ${this.deviceKey} already has a job out`));
    return new Promise<SendOutcome>((resolve, reject) => {
      const out: OutJob = {
        job,
        handedOut: false,
        timer: this.#deadline(job.jobId, this.deadlines.pickupMs),
        settle: resolve,
        fail: reject,
      };
      this.#current = out;
      for (const wake of this.#waiters) wake();
    });
  }

  /** The job that is out, waiting up to `waitMs` for one; undefined if none came. */
  async next(waitMs: number, signal?: AbortSignal, nowMs = Date.now()): Promise<SendJob | undefined> {
    this.lastPollAtMs = nowMs;
    if (signal?.aborted) return undefined;
    if (!this.#current && waitMs > 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        this.#waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    const out = this.#current;
    if (!out || signal?.aborted) return undefined;
    if (!out.handedOut) {
      // From now on the phone may be sending it: the result deadline replaces the pickup one.
      out.handedOut = true;
      clearTimeout(out.timer);
      out.timer = this.#deadline(out.job.jobId, this.deadlines.resultMs);
    }
    return out.job;
  }

  report(jobId: string, report: PhoneReport, nowMs = Date.now()): ReportAnswer {
    const out = this.#current;
    if (out?.job.jobId === jobId && out.handedOut) {
      this.#finish(
        report.sent
          ? { state: 'sent', messageId: out.job.messageId, receipts: new Set() }
          : { state: 'not-sent' },
      );
      out.settle(report.sent ? { sent: true, atMs: nowMs } : notSent(report.error));
      return 'accepted';
    }
    const finished = this.#finished.get(jobId);
    if (finished === undefined) return 'unknown';
    return finished.state === 'expired' ? 'expired' : 'repeated';
  }

  receipt(jobId: string, kind: ReceiptKind): ReceiptAnswer {
    const finished = this.#finished.get(jobId);
    if (finished === undefined) return { kind: 'unknown' };
    if (finished.state !== 'sent') return { kind: 'not-sent' };
    if (finished.receipts.has(kind)) return { kind: 'repeated' };
    finished.receipts.add(kind);
    return { kind: 'accepted', messageId: finished.messageId };
  }

  /** Fails the job that is out (its outcome unknown) and ends every waiting poll. */
  close(): void {
    this.#closed = true;
    const out = this.#current;
    if (out) {
      this.#finish({ state: 'expired' });
      out.fail(new Error(`automation phone ${this.deviceKey} closed with job ${out.job.jobId} out`));
    }
    for (const wake of this.#waiters) wake();
  }

  #finish(finished: Finished): void {
    const out = this.#current;
    if (!out) return;
    clearTimeout(out.timer);
    this.#current = undefined;
    this.#finished.set(out.job.jobId, finished);
  }

  #deadline(jobId: string, ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      const out = this.#current;
      if (out?.job.jobId !== jobId) return;
      this.#finish({ state: 'expired' });
      out.fail(
        out.handedOut
          ? new Error(
              `phone ${this.deviceKey} took job ${jobId} but reported no result within ${ms} ms: it may or may not have been sent`,
            )
          : new Error(
              `phone ${this.deviceKey} did not poll for job ${jobId} within ${ms} ms: withdrawn, not sent`,
            ),
      );
    }, ms);
  }
}

function notSent(error: string): SendOutcome {
  if (error === notOnWhatsAppError) {
    return {
      sent: false,
      errorCode: StatusErrorCode.NotOnWhatsApp,
      reason: describeStatusError(StatusErrorCode.NotOnWhatsApp),
    };
  }
  return { sent: false, errorCode: StatusErrorCode.Unknown, reason: `the phone reported: ${error}` };
}
