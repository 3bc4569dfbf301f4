import { describe, expect, test } from 'vitest';
import { createGroupCommit } from '../src/group-commit.js';

/** A run whose groups finish only when the test says so, recording each group it was given. */
function controlledRun() {
  const groups: string[][] = [];
  const finishers: Array<() => void> = [];
  return {
    groups,
    finishNext: () => finishers.shift()!(),
    get running() {
      return finishers.length;
    },
    async run(items: string[]): Promise<string[]> {
      groups.push(items);
      await new Promise<void>((resolve) => finishers.push(resolve));
      if (items.includes('bad')) throw new Error('bad input in this group');
      return items.map((item) => `done:${item}`);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  test('a lone call runs at once; calls arriving meanwhile share the next group', async () => {
    const control = controlledRun();
    const group = createGroupCommit({ run: control.run, sizeOf: () => 1, maxSize: 100, concurrency: 1 });
    const first = group.submit('a');
    await settle();
    // Nothing else was waiting: the first call did not wait for company.
    expect(control.groups).toEqual([['a']]);
    const later = [group.submit('b'), group.submit('c'), group.submit('d')];
    await settle();
    expect(control.groups).toEqual([['a']]);
    control.finishNext();
    expect(await first).toBe('done:a');
    await settle();
    expect(control.groups).toEqual([['a'], ['b', 'c', 'd']]);
    control.finishNext();
    expect(await Promise.all(later)).toEqual(['done:b', 'done:c', 'done:d']);
  });

  test('gathering a turn, calls made in one turn share the first group: none goes alone', async () => {
    const control = controlledRun();
    const group = createGroupCommit({
      run: control.run,
      sizeOf: () => 1,
      maxSize: 100,
      concurrency: 1,
      gatherTurn: true,
    });
    const calls = [group.submit('a'), group.submit('b'), group.submit('c')];
    expect(control.groups).toEqual([]);
    await settle();
    expect(control.groups).toEqual([['a', 'b', 'c']]);
    control.finishNext();
    expect(await Promise.all(calls)).toEqual(['done:a', 'done:b', 'done:c']);
  });

  test('a group never holds more than maxSize, and a larger call still runs alone', async () => {
    const control = controlledRun();
    const sizes: Record<string, number> = { a: 1, b: 60, c: 60, d: 150 };
    const group = createGroupCommit({
      run: control.run,
      sizeOf: (item) => sizes[item]!,
      maxSize: 100,
      concurrency: 1,
    });
    const all = ['a', 'b', 'c', 'd'].map((item) => group.submit(item));
    for (let i = 0; i < 4; i++) {
      await settle();
      control.finishNext();
    }
    expect(await Promise.all(all)).toEqual(['done:a', 'done:b', 'done:c', 'done:d']);
    expect(control.groups).toEqual([['a'], ['b'], ['c'], ['d']]);
  });

  test('one bad call fails alone: the others of its group are run again without it and succeed', async () => {
    const control = controlledRun();
    const group = createGroupCommit({ run: control.run, sizeOf: () => 1, maxSize: 100, concurrency: 1 });
    const first = group.submit('a');
    const shared = [group.submit('b'), group.submit('bad'), group.submit('c')];
    const outcomes = Promise.allSettled(shared);
    await settle();
    control.finishNext();
    await first;
    await settle();
    control.finishNext(); // the group [b, bad, c] fails
    await settle();
    // Each is run again on its own.
    expect(control.groups.slice(2)).toEqual([['b'], ['bad'], ['c']]);
    control.finishNext();
    control.finishNext();
    control.finishNext();
    const settled = await outcomes;
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'done:b' });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { message: 'bad input in this group' } });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 'done:c' });
  });

  test('with two groups in flight, a second call does not wait for the first one', async () => {
    const control = controlledRun();
    const group = createGroupCommit({ run: control.run, sizeOf: () => 1, maxSize: 100, concurrency: 2 });
    const calls = [group.submit('a'), group.submit('b'), group.submit('c')];
    await settle();
    expect(control.groups).toEqual([['a'], ['b']]);
    control.finishNext();
    await settle();
    expect(control.groups).toEqual([['a'], ['b'], ['c']]);
    control.finishNext();
    control.finishNext();
    expect(await Promise.all(calls)).toEqual(['done:a', 'done:b', 'done:c']);
  });

  test('an Error answer fails its own call alone, without running the group again', async () => {
    const groups: string[][] = [];
    const group = createGroupCommit<string, string>({
      async run(items) {
        groups.push(items);
        return items.map((item) => (item === 'missing' ? new Error('no such account') : `done:${item}`));
      },
      sizeOf: () => 1,
      maxSize: 100,
      concurrency: 1,
    });
    const outcomes = await Promise.allSettled(['a', 'missing', 'c'].map((item) => group.submit(item)));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'done:a' },
      { status: 'rejected', reason: new Error('no such account') },
      { status: 'fulfilled', value: 'done:c' },
    ]);
    // One group for the first call, one for the two that waited: nothing ran twice.
    expect(groups).toEqual([['a'], ['missing', 'c']]);
  });

  test('with lanes, one key never runs in two groups at once, while other keys overlap it', async () => {
    const control = controlledRun();
    const group = createGroupCommit({
      run: control.run,
      sizeOf: () => 1,
      maxSize: 100,
      concurrency: 1,
      // The key is the item's account: `acct-1:a` and `acct-1:b` belong to one account.
      lanes: { count: 2, keyOf: (item: string) => item.split(':')[0]! },
    });
    const first = group.submit('acct-1:a');
    const second = group.submit('acct-1:b');
    await settle();
    // The second call of the account waits for the first one's group, though 2 groups may run.
    expect(control.groups).toEqual([['acct-1:a']]);
    // Accounts hashed onto the other lane start at once.
    const others = ['acct-2', 'acct-3', 'acct-4', 'acct-5'].map((account) => group.submit(`${account}:x`));
    await settle();
    expect(control.groups.length).toBe(2);
    expect(control.groups[1]!.every((item) => !item.startsWith('acct-1:'))).toBe(true);
    control.finishNext(); // the account's first group
    await settle();
    // Only now does its second call run (with whatever else of its lane waited).
    expect(control.groups[2]).toContain('acct-1:b');
    const all = Promise.all([first, second, ...others]);
    let done = false;
    void all.then(() => {
      done = true;
    });
    while (!done) {
      if (control.running > 0) control.finishNext();
      await settle();
    }
    expect(await first).toBe('done:acct-1:a');
    expect(await second).toBe('done:acct-1:b');
    await Promise.all(others);
  });

  test('items submitted together share one group, even when a slot is free', async () => {
    const control = controlledRun();
    const group = createGroupCommit({ run: control.run, sizeOf: () => 1, maxSize: 100, concurrency: 2 });
    const answers = group.submitAll(['a', 'b', 'c']);
    await settle();
    // One at a time, the first would have run alone and the others in the second slot.
    expect(control.groups).toEqual([['a', 'b', 'c']]);
    control.finishNext();
    expect(await Promise.all(answers)).toEqual(['done:a', 'done:b', 'done:c']);
  });
});
