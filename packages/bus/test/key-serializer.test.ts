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
