import type { fleet } from '@wagate/contracts';
import { describe, expect, test } from 'vitest';
import { Outbox, type OutboxItem } from '../src/outbox.js';

const hello: fleet.AgentMessage = {
  kind: { $case: 'hello', value: { agentId: 'a', enrolmentToken: 't', credential: '', devices: [] } },
};

function result(jobId: string): OutboxItem {
  const value = {
    jobId,
    deviceId: 'd',
    messageId: 'm',
    sent: true,
    errorCode: 0,
    atMs: '1',
    traceparent: '',
  };
  return { label: 'result', durable: true, build: () => ({ kind: { $case: 'result', value } }) };
}

function credit(): OutboxItem {
  const value = { deviceId: 'd', credits: 1 };
  return { label: 'credit', durable: false, build: () => ({ kind: { $case: 'credit', value } }) };
}

describe('outbox', () => {
  test('holds everything but hello until the fleet has welcomed the stream', async () => {
    const outbox = new Outbox(10, () => {});
    const state = { welcomed: false, closed: false };
    outbox.push(result('job-1'));
    const stream = outbox.stream(state, hello);
    expect((await stream.next()).value).toBe(hello);
    const next = stream.next();
    state.welcomed = true;
    outbox.notify();
    expect((await next).value?.kind).toMatchObject({ $case: 'result', value: { jobId: 'job-1' } });
  });

  test('keeps results across streams but forgets a dead stream’s credits', () => {
    const outbox = new Outbox(10, () => {});
    outbox.push(credit());
    outbox.push(result('job-1'));
    outbox.dropStreamItems();
    expect(outbox.length).toBe(1);
  });

  test('gives way with its oldest durable message when full', () => {
    const dropped: string[] = [];
    const outbox = new Outbox(2, (item) => dropped.push(item.label));
    outbox.push(result('job-1'));
    outbox.push(credit());
    outbox.push(result('job-2'));
    outbox.push(result('job-3'));
    expect(dropped).toEqual(['result']);
    expect(outbox.length).toBe(3);
  });

  test('puts back a durable message the stream took but never wrote', async () => {
    const outbox = new Outbox(10, () => {});
    const state = { welcomed: true, closed: false };
    outbox.push(result('job-1'));
    const stream = outbox.stream(state, hello);
    await stream.next();
    expect((await stream.next()).value?.kind?.$case).toBe('result');
    expect(outbox.length).toBe(0);
    await stream.return(undefined);
    expect(outbox.length).toBe(1);
  });
});
