import { PLAINTEXT_LOOPBACK } from '@wagate/rpc';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusErrorCode } from '@wagate/errors';
import { closeGrpcChannels } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  type Agent,
  createSimDriver,
  fileJournal,
  INTERRUPTED_SEND,
  type JobJournal,
  readSimSentRecord,
  type SimDriver,
  startAgent,
} from '../src/index.js';
import { type FakeFleet, startFakeFleet } from './support/fake-fleet.js';
import { jobOffer } from './support/job-offer.js';
import { spyDriver } from './support/spy-driver.js';

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 5_000, interval: 10 });
const fast = { min: 5, max: 20 };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wagate-journal-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => closeGrpcChannels());

const result = (jobId: string) => ({
  jobId,
  deviceId: 'dev-1',
  messageId: `msg-${jobId}`,
  sent: true,
  errorCode: 0,
  atMs: '1795508477545',
  traceparent: '',
});
const started = (jobId: string) => ({ jobId, messageId: `msg-${jobId}`, deviceKey: 'sim-1', atMs: 1 });

describe('the job journal file', () => {
  test('keeps what was written across a reopen; a line torn by a crash is ignored', () => {
    const path = join(dir, 'journal.jsonl');
    const journal = fileJournal(path);
    journal.started(started('a'));
    journal.finished(result('a'));
    journal.started(started('b'));
    journal.close();
    appendFileSync(path, '{"state":"fini');

    const reopened = fileJournal(path);
    expect(reopened.lookup('a')).toEqual({ state: 'finished', result: result('a') });
    expect(reopened.lookup('b')).toEqual({ state: 'started', job: started('b') });
    expect(reopened.lookup('c')).toBeUndefined();
    reopened.close();
  });

  test('is rewritten to what it remembers, never forgetting a job started and not finished', () => {
    const path = join(dir, 'journal.jsonl');
    const journal = fileJournal(path, 3);
    journal.started(started('open'));
    for (let i = 0; i < 10; i++) journal.finished(result(`done-${i}`));
    journal.close();
    expect(readFileSync(path, 'utf8').trim().split('\n').length).toBeLessThanOrEqual(6);
    const reopened = fileJournal(path, 3);
    expect(reopened.lookup('open')?.state).toBe('started');
    expect(reopened.lookup('done-9')?.state).toBe('finished');
    expect(reopened.lookup('done-0')).toBeUndefined();
    reopened.close();
  });
});

describe('an agent restarted with its journal never sends a job it may have sent', () => {
  let fakeFleet: FakeFleet;
  let agent: Agent | undefined;
  let journal: JobJournal | undefined;
  const sims: SimDriver[] = [];
  const logger = createLogger('device-agent-test');
  logger.level = 'silent';

  beforeEach(async () => {
    fakeFleet = await startFakeFleet();
  });
  afterEach(async () => {
    await agent?.stop();
    journal?.close();
    agent = undefined;
    journal = undefined;
    await Promise.all(sims.splice(0).map((sim) => sim.close()));
    await fakeFleet.close();
  });

  /** A phone keeping its chat history in `dir` (it survives the agent), and the agent's journal. */
  function phone(withRecord = true) {
    const sim = createSimDriver({
      phoneNumber: '79990000001',
      sendDelayMs: fast,
      deliveredAfterMs: fast,
      readAfterMs: fast,
      ...(withRecord ? { sentRecordFile: join(dir, 'phone.sent.jsonl') } : {}),
    });
    sims.push(sim);
    return sim;
  }
  async function restartAgent(driver: SimDriver) {
    await agent?.stop();
    journal?.close();
    journal = fileJournal(join(dir, 'journal.jsonl'));
    agent = startAgent({
      fleetAddress: fakeFleet.address,
      fleetSecurity: PLAINTEXT_LOOPBACK,
      agentId: 'agent-journal',
      enrolmentToken: 'token',
      drivers: [driver],
      journal,
      heartbeatIntervalMs: 50,
      reconnect: { minMs: 20, maxMs: 100 },
      logger,
    });
    await waitFor(() => expect(agent!.connected()).toBe(true));
  }
  const deviceId = 'dev-sim-79990000001';
  const sentByPhone = () => readSimSentRecord(join(dir, 'phone.sent.jsonl'));
  const resultsFor = (jobId: string) => fakeFleet.messages('result').filter((r) => r.jobId === jobId);
  /** What a crash leaves: the journal says started (written before the phone was touched). */
  function crashedWhileSending(jobId: string) {
    const left = fileJournal(join(dir, 'journal.jsonl'));
    left.started({ jobId, messageId: `msg-${jobId}`, deviceKey: 'sim-79990000001', atMs: Date.now() });
    left.close();
  }

  test('a job finished before the restart, offered again (the fleet restarted too), is answered from the journal', async () => {
    // A phone that keeps no record: only the journal can answer.
    const spy = spyDriver(phone(false));
    await restartAgent(spy.driver);
    fakeFleet.offer(jobOffer('job-1', deviceId));
    await waitFor(() => expect(resultsFor('job-1')).toHaveLength(1));

    await restartAgent(spy.driver);
    fakeFleet.endStream();
    await waitFor(() => expect(fakeFleet.connections.length).toBeGreaterThanOrEqual(3));
    fakeFleet.offer(jobOffer('job-1', deviceId));
    await waitFor(() => expect(resultsFor('job-1')).toHaveLength(2));
    expect(resultsFor('job-1')[1]).toEqual(resultsFor('job-1')[0]);
    expect(spy.counts.started).toBe(1);
  });

  test('killed after the phone sent it: the phone’s record answers SENT, nothing is sent again', async () => {
    const sim = phone();
    crashedWhileSending('job-2');
    // The tap happened; the agent died before writing "finished".
    await sim.send({ jobId: 'job-2', messageId: 'msg-job-2', recipient: '79161234567', text: 'Hello!' });
    const spy = spyDriver(sim);
    await restartAgent(spy.driver);
    fakeFleet.offer(jobOffer('job-2', deviceId));
    const [answer] = await waitFor(() => {
      const results = resultsFor('job-2');
      expect(results).toHaveLength(1);
      return results;
    });
    expect(answer).toMatchObject({ sent: true, errorCode: 0 });
    expect(spy.counts.started).toBe(0);
    expect(sentByPhone().map((r) => r.messageId)).toEqual(['msg-job-2']);
  });

  test('killed before the phone sent it: the phone’s record says not sent, so it is sent now, once', async () => {
    const spy = spyDriver(phone());
    crashedWhileSending('job-3');
    await restartAgent(spy.driver);
    fakeFleet.offer(jobOffer('job-3', deviceId));
    await waitFor(() => expect(resultsFor('job-3')).toHaveLength(1));
    expect(resultsFor('job-3')[0]).toMatchObject({ sent: true });
    expect(spy.counts.started).toBe(1);
    expect(sentByPhone().map((r) => r.messageId)).toEqual(['msg-job-3']);
  });

  test('a phone that cannot tell: the job ends FAILED 2313 and is not sent again', async () => {
    const spy = spyDriver(phone(false));
    crashedWhileSending('job-4');
    await restartAgent(spy.driver);
    fakeFleet.offer(jobOffer('job-4', deviceId));
    await waitFor(() => expect(resultsFor('job-4')).toHaveLength(1));
    expect(resultsFor('job-4')[0]).toMatchObject({ sent: false, errorCode: StatusErrorCode.Unknown });
    expect(spy.counts.started).toBe(0);
    // And the journal now says finished: offered once more, the same answer, still no send.
    fakeFleet.offer(jobOffer('job-4', deviceId));
    await waitFor(() => expect(resultsFor('job-4')).toHaveLength(2));
    expect(spy.counts.started).toBe(0);
    expect(INTERRUPTED_SEND).toMatch(/never sent twice/);
  });
});
