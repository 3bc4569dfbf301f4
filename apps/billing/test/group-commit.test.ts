import { expect, test } from 'vitest';
import { groupCommit } from '../src/reservations/group-commit.js';

/** A batch runner whose batches finish when the test says so. */
function heldRunner(answer: (item: string) => string | Error = (item) => item.toUpperCase()) {
  const batches: string[][] = [];
  const finishers: Array<() => void> = [];
  const run = (items: string[]) => {
    batches.push(items);
    return new Promise<Array<string | Error>>((resolve, reject) => {
      finishers.push(() =>
        items.includes('deadlock') && items.length > 1
          ? reject(new Error('deadlock'))
          : resolve(items.map(answer)),
      );
    });
  };
  const finishNext = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    finishers.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { run, batches, finishNext };
}

test('a lone call starts its batch at once; calls that arrive meanwhile go together in the next', async () => {
  const runner = heldRunner();
  const call = groupCommit(runner.run, { maxBatch: 10 });
  const first = call('a');
  expect(runner.batches).toEqual([['a']]);
  const later = [call('b'), call('c'), call('d')];
  expect(runner.batches).toEqual([['a']]);
  await runner.finishNext();
  expect(await first).toBe('A');
  expect(runner.batches).toEqual([['a'], ['b', 'c', 'd']]);
  await runner.finishNext();
  expect(await Promise.all(later)).toEqual(['B', 'C', 'D']);
});

test('a batch is at most maxBatch calls; the rest wait for the next', async () => {
  const runner = heldRunner();
  const call = groupCommit(runner.run, { maxBatch: 2 });
  const calls = ['a', 'b', 'c', 'd'].map(call);
  await runner.finishNext();
  await runner.finishNext();
  await runner.finishNext();
  expect(await Promise.all(calls)).toEqual(['A', 'B', 'C', 'D']);
  expect(runner.batches).toEqual([['a'], ['b', 'c'], ['d']]);
});

test('an Error answer fails its call alone; a failed batch runs each call again alone', async () => {
  const runner = heldRunner((item) =>
    item === 'missing' ? new Error('no such account') : item.toUpperCase(),
  );
  const call = groupCommit(runner.run, { maxBatch: 10 });
  const first = call('a');
  const answers = ['b', 'missing', 'deadlock', 'c'].map((item) =>
    call(item).catch((error: Error) => error.message),
  );
  await runner.finishNext();
  await first;
  await runner.finishNext(); // the batch of four fails (a deadlock): each runs alone
  for (let i = 0; i < 4; i++) await runner.finishNext();
  expect(await Promise.all(answers)).toEqual(['B', 'no such account', 'DEADLOCK', 'C']);
  expect(runner.batches.slice(1)).toEqual([
    ['b', 'missing', 'deadlock', 'c'],
    ['b'],
    ['missing'],
    ['deadlock'],
    ['c'],
  ]);
});
