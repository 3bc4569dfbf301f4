import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { fleet } from '@wagate/contracts';

/** A job the agent began to hand to a phone: written, and on disk, before the driver taps send. */
export interface StartedJob {
  jobId: string;
  messageId: string;
  deviceKey: string;
  atMs: number;
}

export type JournalEntry =
  | { state: 'started'; job: StartedJob }
  | { state: 'finished'; result: fleet.JobResult };

/**
 * The agent's durable record of the jobs it started and finished. A job is `started` before the
 * phone is touched and `finished` (with the result the fleet gets) after, so after any crash the
 * agent knows which jobs it may have sent: a repeated offer of a finished job is answered from
 * here, and one started but not finished is checked on the phone before anything else.
 */
export interface JobJournal {
  lookup(jobId: string): JournalEntry | undefined;
  started(job: StartedJob): void;
  finished(result: fleet.JobResult): void;
  close(): void;
}

/** What the journal remembers, in memory: finished jobs are forgotten oldest first, started ones never. */
class RememberedJobs {
  readonly entries = new Map<string, JournalEntry>();
  constructor(private readonly remember: number) {}

  put(jobId: string, entry: JournalEntry): void {
    this.entries.delete(jobId);
    this.entries.set(jobId, entry);
    if (this.entries.size <= this.remember) return;
    for (const [id, old] of this.entries) {
      if (this.entries.size <= this.remember) break;
      if (old.state === 'finished') this.entries.delete(id);
    }
  }
}

/** In memory only, for tests and demos: a restarted agent knows nothing. */
export function memoryJournal(remember = 10_000): JobJournal {
  const jobs = new RememberedJobs(remember);
  return {
    lookup: (jobId) => jobs.entries.get(jobId),
    started: (job) => jobs.put(job.jobId, { state: 'started', job }),
    finished: (result) => jobs.put(result.jobId, { state: 'finished', result }),
    close() {},
  };
}

/**
 * A file of JSON lines, each appended and fsync'd before the call returns, so a line written is
 * a line kept whatever kills the process next (a torn last line is ignored on load). It is
 * rewritten (beside it, fsync'd, then renamed) with only what is remembered once it holds
 * twice that many lines, so it never grows without bound.
 */
export function fileJournal(path: string, remember = 10_000): JobJournal {
  mkdirSync(dirname(path), { recursive: true });
  const jobs = new RememberedJobs(remember);
  const keyOf = (entry: JournalEntry) => (entry.state === 'started' ? entry.job.jobId : entry.result.jobId);
  let lines = 0;
  if (existsSync(path)) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        continue; // the line a crash cut short: its write never returned, so nothing relied on it
      }
      jobs.put(keyOf(entry), entry);
      lines++;
    }
  }
  let fd = openSync(path, 'a', 0o600);

  const record = (entry: JournalEntry) => {
    writeSync(fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(fd);
    jobs.put(keyOf(entry), entry);
    lines++;
    if (lines > 2 * remember) compact();
  };

  function compact(): void {
    const next = `${path}.next`;
    const out = openSync(next, 'w', 0o600);
    for (const entry of jobs.entries.values()) writeSync(out, `${JSON.stringify(entry)}\n`);
    fsyncSync(out);
    closeSync(out);
    renameSync(next, path);
    const dir = openSync(dirname(path), 'r');
    fsyncSync(dir);
    closeSync(dir);
    closeSync(fd);
    fd = openSync(path, 'a', 0o600);
    lines = jobs.entries.size;
  }

  return {
    lookup: (jobId) => jobs.entries.get(jobId),
    started: (job) => record({ state: 'started', job }),
    finished: (result) => record({ state: 'finished', result }),
    close() {
      closeSync(fd);
    },
  };
}
