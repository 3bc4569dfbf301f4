/**
 * Group commit: calls that arrive while earlier ones are being committed wait, and go together
 * in the next group, so N concurrent callers share one transaction (one statement per table for
 * all of them) instead of queueing N transactions, each with its round trips and its WAL flush.
 * A call that finds a free slot runs at once, alone: no added latency at low load.
 */
export interface GroupCommit<In, Out> {
  submit(item: In): Promise<Out>;
  /** Items that arrived together (one coalesced call's parts): queued at once, so they share a group. */
  submitAll(items: readonly In[]): Array<Promise<Out>>;
}

export interface GroupCommitOptions<In, Out> {
  /**
   * Runs one group; answers one result per item, in order. An `Error` answer fails that call
   * alone (an account that does not exist, say); throwing fails the group (see below).
   */
  run(items: In[]): Promise<Array<Out | Error>>;
  /** The size of an item (messages), so a group stays under `maxSize`; a larger item goes alone. */
  sizeOf(item: In): number;
  maxSize: number;
  /** Groups in flight at once (in each lane): while one waits for its commit, the next can be prepared. */
  concurrency: number;
  /**
   * Items with one key (an account, say) never run in two groups at once: such groups would
   * only queue on that account's row lock in PostgreSQL, each paying its own round trips, where
   * one larger group pays them once. Keys are hashed onto `count` lanes, each a group commit of
   * its own, so different accounts still overlap (`count` × `concurrency` groups in flight).
   */
  lanes?: { count: number; keyOf(item: In): string };
  /**
   * Let each group wait for the rest of the current turn of the event loop before it goes out:
   * calls made while one batch of input is handled (fleet's reports, read from many agent
   * streams in one turn) then share a group even when none is in flight. Off, a lone call goes
   * at once and the next group as soon as one finishes (the accept path, whose callers wait).
   */
  gatherTurn?: boolean;
}

interface Waiting<In, Out> {
  item: In;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

export function createGroupCommit<In, Out>(options: GroupCommitOptions<In, Out>): GroupCommit<In, Out> {
  const { lanes } = options;
  if (!lanes || lanes.count <= 1) return createLane(options);
  const laneCommits = Array.from({ length: lanes.count }, () => createLane(options));
  const laneFor = (item: In) => laneCommits[laneOf(lanes.keyOf(item), lanes.count)]!;
  return {
    submit: (item) => laneFor(item).submit(item),
    submitAll(items) {
      // Each lane gets its items in one submitAll, so they share its next group.
      const positions = new Map<GroupCommit<In, Out>, number[]>();
      items.forEach((item, at) => {
        const lane = laneFor(item);
        const ofLane = positions.get(lane);
        if (ofLane) ofLane.push(at);
        else positions.set(lane, [at]);
      });
      const answers: Array<Promise<Out>> = new Array(items.length);
      for (const [lane, ats] of positions) {
        lane.submitAll(ats.map((at) => items[at]!)).forEach((answer, i) => {
          answers[ats[i]!] = answer;
        });
      }
      return answers;
    },
  };
}

/** FNV-1a: a cheap, stable spread of keys over the lanes. */
function laneOf(key: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % count;
}

function createLane<In, Out>(options: GroupCommitOptions<In, Out>): GroupCommit<In, Out> {
  const queue: Array<Waiting<In, Out>> = [];
  let inFlight = 0;

  function takeGroup(): Array<Waiting<In, Out>> {
    const group = [queue.shift()!];
    let size = options.sizeOf(group[0]!.item);
    while (queue.length > 0 && size + options.sizeOf(queue[0]!.item) <= options.maxSize) {
      const next = queue.shift()!;
      size += options.sizeOf(next.item);
      group.push(next);
    }
    return group;
  }

  async function runGroup(group: Array<Waiting<In, Out>>): Promise<void> {
    try {
      const results = await options.run(group.map((waiting) => waiting.item));
      group.forEach((waiting, i) => {
        answer(waiting, results[i]!);
      });
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // One caller's bad input must not fail the others that happened to share its transaction:
      // each runs again alone and gets its own outcome.
      await Promise.all(
        group.map((waiting) =>
          options.run([waiting.item]).then(
            (results) => answer(waiting, results[0]!),
            (alone: unknown) => waiting.reject(alone),
          ),
        ),
      );
    }
  }

  function answer(waiting: Waiting<In, Out>, result: Out | Error): void {
    if (result instanceof Error) waiting.reject(result);
    else waiting.resolve(result);
  }

  function pump(): void {
    while (inFlight < options.concurrency && queue.length > 0) {
      const group = takeGroup();
      inFlight++;
      void runGroup(group).finally(() => {
        inFlight--;
        start();
      });
    }
  }

  function enqueue(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      queue.push({ item, resolve, reject });
    });
  }

  let gathering = false;
  function start(): void {
    if (!options.gatherTurn) {
      pump();
      return;
    }
    if (gathering) return;
    gathering = true;
    setImmediate(() => {
      gathering = false;
      pump();
    });
  }

  return {
    submit(item) {
      const answer = enqueue(item);
      start();
      return answer;
    },
    submitAll(items) {
      const answers = items.map(enqueue);
      start();
      return answers;
    },
  };
}
