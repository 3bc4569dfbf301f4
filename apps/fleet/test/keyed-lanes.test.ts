import { expect, test } from 'vitest';
import { KeyedLanes } from '../src/agents/keyed-lanes.js';

/** A task that finishes only when the test says so, recording when it starts and ends. */
function gate(log: string[], name: string) {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    task: async () => {
      log.push(`start ${name}`);
      await opened;
      log.push(`end ${name}`);
    },
    open: () => open(),
  };
}

test('keeps the order of reports with the same key and lets other keys overlap', async () => {
  const lanes = new KeyedLanes(4);
  const log: string[] = [];
  const sent = gate(log, 'SENT m1');
  const delivered = gate(log, 'DELIVERED m1');
  const other = gate(log, 'SENT m2');
  await lanes.admit('message:m1', sent.task);
  await lanes.admit('message:m1', delivered.task);
  await lanes.admit('message:m2', other.task);
  await new Promise((resolve) => setImmediate(resolve));
  // m2 runs beside m1; m1's receipt waits for its result.
  expect(log).toEqual(['start SENT m1', 'start SENT m2']);
  other.open();
  delivered.open();
  await new Promise((resolve) => setImmediate(resolve));
  expect(log).toEqual(['start SENT m1', 'start SENT m2', 'end SENT m2']);
  sent.open();
  await lanes.idle();
  expect(log.slice(3)).toEqual(['end SENT m1', 'start DELIVERED m1', 'end DELIVERED m1']);
});

test('admits no more than its limit at once, and reports the first failure', async () => {
  const lanes = new KeyedLanes(1);
  const log: string[] = [];
  const first = gate(log, 'a');
  await lanes.admit('a', first.task);
  let admitted = false;
  const second = lanes.admit('b', async () => {
    throw new Error('database down');
  });
  void second.then(() => {
    admitted = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  expect(admitted).toBe(false);
  first.open();
  await second;
  await expect(lanes.idle()).rejects.toThrow('database down');
  await expect(lanes.admit('c', async () => {})).rejects.toThrow('database down');
});
