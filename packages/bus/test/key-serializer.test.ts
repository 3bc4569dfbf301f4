import { describe, expect, test } from 'vitest';
import { createKeySerializer } from '../src/key-serializer.js';
import { waitFor } from './polling.js';

/** A task the test finishes by hand, recording when it starts. */
function manualTask(name: string, log: string[]) {
  let finish: () => void = () => {};
  const run = () =>
    new Promise<void>((resolve) => {
      log.push(`start ${name}`);
      finish = resolve;
    });
  return { run, drop: () => log.push(`drop ${name}`), finish: () => finish() };
}

describe('key serializer', () => {
  test('runs one task per key at a time, different keys side by side, and reports when full', async () => {
    const log: string[] = [];
    const serializer = createKeySerializer(3);
    const a1 = manualTask('a1', log);
    const a2 = manualTask('a2', log);
    const b1 = manualTask('b1', log);
    for (const [key, task] of [
      ['a', a1],
      ['a', a2],
      ['b', b1],
    ] as const) {
      void serializer.submit(key, task.run, task.drop);
    }
    expect(serializer.full).toBe(true);
    await waitFor('a1 and b1 to start', () => log.length === 2);
    expect(log).toEqual(['start a1', 'start b1']);

    a1.finish();
    await waitFor('a2 to start', () => log.includes('start a2'));
    expect(serializer.full).toBe(false);
    a2.finish();
    b1.finish();
    await serializer.close();
  });

  test('close drops tasks that have not started and waits for running ones', async () => {
    const log: string[] = [];
    const serializer = createKeySerializer(10);
    const running = manualTask('running', log);
    const queued = manualTask('queued', log);
    void serializer.submit('k', running.run, running.drop);
    void serializer.submit('k', queued.run, queued.drop);
    await waitFor('the first task to start', () => log.length === 1);

    let closed = false;
    const closing = serializer.close().then(() => {
      closed = true;
    });
    expect(log).toEqual(['start running', 'drop queued']);
    await Promise.resolve();
    expect(closed).toBe(false);

    running.finish();
    await closing;
    const late = manualTask('late', log);
    await serializer.submit('k', late.run, late.drop);
    expect(log).toEqual(['start running', 'drop queued', 'drop late']);
  });

  test('keeps the order of tasks with the same key while later keys overlap, and idle waits for them all', async () => {
    // Fleet's agent gateway: a message's receipt is written only after its result.
    const log: string[] = [];
    const serializer = createKeySerializer(4);
    const sent = manualTask('SENT m1', log);
    const delivered = manualTask('DELIVERED m1', log);
    const other = manualTask('SENT m2', log);
    void serializer.submit('message:m1', sent.run, sent.drop);
    void serializer.submit('message:m1', delivered.run, delivered.drop);
    void serializer.submit('message:m2', other.run, other.drop);
    await waitFor('m1 and m2 to start', () => log.length === 2);
    expect(log).toEqual(['start SENT m1', 'start SENT m2']);

    let idle = false;
    const idling = serializer.idle().then(() => {
      idle = true;
    });
    other.finish();
    sent.finish();
    await waitFor("m1's receipt to start", () => log.includes('start DELIVERED m1'));
    expect(idle).toBe(false);
    delivered.finish();
    await idling;
    // idle does not close: work submitted afterwards still runs.
    const later = manualTask('later', log);
    const done = serializer.submit('k', later.run, later.drop);
    await waitFor('the later task to start', () => log.includes('start later'));
    later.finish();
    await done;
    expect(log).toEqual(['start SENT m1', 'start SENT m2', 'start DELIVERED m1', 'start later']);
  });

  test('holds no more than its capacity: whenNotFull waits for a slot', async () => {
    const log: string[] = [];
    const serializer = createKeySerializer(1);
    const first = manualTask('a', log);
    void serializer.submit('a', first.run, first.drop);
    let admitted = false;
    const slot = serializer.whenNotFull().then(() => {
      admitted = true;
    });
    await waitFor('the first task to start', () => log.length === 1);
    expect(admitted).toBe(false);
    first.finish();
    await slot;
    expect(serializer.full).toBe(false);
    await serializer.close();
  });

  test('a task submitted just before close never starts', async () => {
    const log: string[] = [];
    const serializer = createKeySerializer(10);
    const task = manualTask('task', log);
    const settled = serializer.submit('k', task.run, task.drop);
    await serializer.close();
    await settled;
    expect(log).toEqual(['drop task']);
  });
});
