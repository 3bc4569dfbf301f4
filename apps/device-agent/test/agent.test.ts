import { fleet } from '@wagate/contracts';
import { closeGrpcChannels } from '@wagate/rpc';
import { initTelemetry, type Telemetry } from '@wagate/telemetry';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { type Agent, createSimDrivers } from '../src/index.js';
import { type FakeFleet, startFakeFleet } from './support/fake-fleet.js';
import { jobOffer } from './support/job-offer.js';
import { spyDriver } from './support/spy-driver.js';
import { startTestAgent } from './support/test-agent.js';

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 5_000, interval: 10 });

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const offerTraceparent = `00-${traceId}-00f067aa0ba902b7-01`;

const offer = (jobId: string, deviceId: string, recipient?: string) =>
  jobOffer(jobId, deviceId, { recipient, traceparent: offerTraceparent });

describe('device agent', () => {
  let telemetry: Telemetry;
  let fakeFleet: FakeFleet;
  let spies: Array<ReturnType<typeof spyDriver>>;
  let agent: Agent;
  let deviceIds: string[];

  beforeAll(() => {
    telemetry = initTelemetry({ serviceName: 'device-agent-test' });
  });
  afterAll(async () => {
    closeGrpcChannels();
    await telemetry.shutdown();
  });

  beforeEach(async () => {
    fakeFleet = await startFakeFleet();
    const fast = { min: 5, max: 20 };
    spies = createSimDrivers(2, {
      seed: 7,
      sendDelayMs: fast,
      deliveredAfterMs: fast,
      readAfterMs: fast,
    }).map(spyDriver);
    deviceIds = spies.map((spy) => `dev-${spy.driver.info.deviceKey}`);
    agent = startTestAgent(
      fakeFleet.address,
      'agent-test',
      spies.map((spy) => spy.driver),
    );
    await waitFor(() => expect(agent.connected()).toBe(true));
  });

  afterEach(async () => {
    for (const spy of spies) spy.release();
    await agent.stop();
    await Promise.all(spies.map((spy) => spy.driver.close()));
    await fakeFleet.close();
  });

  const resultsFor = (jobId: string, connection?: number) =>
    fakeFleet.messages('result', connection).filter((result) => result.jobId === jobId);

  test('says hello with its devices, then grants exactly one credit per device', async () => {
    const [hello] = fakeFleet.messages('hello', 0);
    expect(hello).toMatchObject({ agentId: 'agent-test', enrolmentToken: 'token-test' });
    expect(hello?.devices).toEqual(
      spies.map((spy) => expect.objectContaining({ deviceKey: spy.driver.info.deviceKey, driver: 'sim' })),
    );
    expect(hello?.devices.map((device) => device.phoneNumber)).toEqual(['79990000001', '79990000002']);

    // Heartbeats follow the credits on the stream, so once they are in, so are all credits.
    await waitFor(() =>
      expect(new Set(fakeFleet.messages('heartbeat', 0).map((h) => h.deviceId)).size).toBe(2),
    );
    const credits = fakeFleet.messages('credit', 0);
    expect(credits).toHaveLength(2);
    expect(credits).toEqual(expect.arrayContaining(deviceIds.map((deviceId) => ({ deviceId, credits: 1 }))));
  });

  test('reports each device on the heartbeat interval', async () => {
    await waitFor(() => {
      for (const deviceId of deviceIds) {
        const beats = fakeFleet.messages('heartbeat').filter((h) => h.deviceId === deviceId);
        expect(beats.length).toBeGreaterThanOrEqual(3);
      }
    });
    expect(fakeFleet.messages('heartbeat')[0]).toMatchObject({
      networkUp: true,
      whatsappState: fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_IN,
    });
  });

  test('sends an offered message, reports it sent, then DELIVERED and READ, all in the offer’s trace', async () => {
    const deviceId = deviceIds[0]!;
    fakeFleet.offer(offer('job-1', deviceId));

    const [result] = await waitFor(() => {
      const results = resultsFor('job-1');
      expect(results).toHaveLength(1);
      return results;
    });
    expect(result).toMatchObject({ deviceId, messageId: 'msg-job-1', sent: true, errorCode: 0 });
    expect(Number(result!.atMs)).toBeGreaterThan(0);
    // The send span is a child of the offer's span: same trace, its own span id.
    expect(result!.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(result!.traceparent).not.toBe(offerTraceparent);

    const receipts = await waitFor(() => {
      const ticks = fakeFleet.messages('receipt').filter((r) => r.messageId === 'msg-job-1');
      expect(ticks).toHaveLength(2);
      return ticks;
    });
    expect(receipts.map((r) => r.kind)).toEqual([
      fleet.ReceiptKind.RECEIPT_KIND_DELIVERED,
      fleet.ReceiptKind.RECEIPT_KIND_READ,
    ]);
    expect(receipts.every((r) => r.deviceId === deviceId && r.traceparent === result!.traceparent)).toBe(
      true,
    );

    // The finished job frees the device: the fleet gets its credit back.
    await waitFor(() =>
      expect(fakeFleet.messages('credit').filter((c) => c.deviceId === deviceId)).toHaveLength(2),
    );
  });

  test('reports a recipient without WhatsApp as not sent, with 2305', async () => {
    fakeFleet.offer(offer('job-1', deviceIds[1]!, '79160000000'));
    const [result] = await waitFor(() => {
      const results = resultsFor('job-1');
      expect(results).toHaveLength(1);
      return results;
    });
    expect(result).toMatchObject({ sent: false, errorCode: 2305 });
  });

  test('answers a repeated offer of a finished job with the same result, without sending twice', async () => {
    fakeFleet.offer(offer('job-1', deviceIds[0]!));
    await waitFor(() => expect(resultsFor('job-1')).toHaveLength(1));

    fakeFleet.offer(offer('job-1', deviceIds[0]!));
    const [first, second] = await waitFor(() => {
      const results = resultsFor('job-1');
      expect(results).toHaveLength(2);
      return results;
    });
    expect(second).toEqual(first);
    expect(spies[0]!.counts.started).toBe(1);
  });

  test('ignores a repeated offer of a job still in progress', async () => {
    spies[0]!.hold();
    fakeFleet.offer(offer('job-1', deviceIds[0]!));
    fakeFleet.offer(offer('job-1', deviceIds[0]!));
    await waitFor(() => expect(spies[0]!.counts.started).toBe(1));
    // Offers are handled in stream order: once a later job's result is in, both offers of
    // job-1 have been seen.
    fakeFleet.offer(offer('job-2', deviceIds[1]!));
    await waitFor(() => expect(resultsFor('job-2')).toHaveLength(1));
    expect(spies[0]!.counts.started).toBe(1);

    spies[0]!.release();
    await waitFor(() => expect(resultsFor('job-1')).toHaveLength(1));
    expect(spies[0]!.counts.started).toBe(1);
  });

  test('forwards a message someone sent to a device', async () => {
    spies[1]!.driver.inbound('79161234567', 'Is my order ready?', 'Anna');
    const [inbound] = await waitFor(() => {
      const messages = fakeFleet.messages('inbound');
      expect(messages).toHaveLength(1);
      return messages;
    });
    expect(inbound).toMatchObject({
      deviceId: deviceIds[1],
      from: '79161234567',
      text: 'Is my order ready?',
      profileName: 'Anna',
    });
    expect(inbound!.deviceMessageKey).not.toBe('');
  });

  test('reconnects when the fleet ends the stream, says hello again and grants fresh credits', async () => {
    fakeFleet.endStream();
    await waitFor(() => {
      expect(fakeFleet.messages('hello', 1)).toHaveLength(1);
      expect(agent.connected()).toBe(true);
    });
    await waitFor(() => expect(fakeFleet.messages('credit', 1)).toHaveLength(2));
  });

  test('delivers a result produced while the stream was down once it is back', async () => {
    const spy = spies[0]!;
    spy.hold();
    fakeFleet.offer(offer('job-1', deviceIds[0]!));
    await waitFor(() => expect(spy.counts.started).toBe(1));

    fakeFleet.refuse(true);
    fakeFleet.endStream();
    await waitFor(() => {
      expect(agent.connected()).toBe(false);
      expect(fakeFleet.refused()).toBeGreaterThanOrEqual(1);
    });

    spy.release();
    await waitFor(() => expect(spy.counts.finished).toBe(1));
    // The result must also outlive failed attempts to reconnect.
    const refusedSoFar = fakeFleet.refused();
    await waitFor(() => expect(fakeFleet.refused()).toBeGreaterThan(refusedSoFar));
    expect(agent.connected()).toBe(false);
    expect(resultsFor('job-1')).toEqual([]);

    fakeFleet.refuse(false);
    const [result] = await waitFor(() => {
      const results = resultsFor('job-1', 1);
      expect(results).toHaveLength(1);
      return results;
    });
    expect(result).toMatchObject({ sent: true, deviceId: deviceIds[0] });
    expect(spy.counts.started).toBe(1);
  });
});

describe('device agent with several fleet replicas', () => {
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = initTelemetry({ serviceName: 'device-agent-test' });
  });
  afterAll(async () => {
    closeGrpcChannels();
    await telemetry.shutdown();
  });

  test('moves to the next replica of its list when its replica goes, and hands it the result of the job the first one offered', async () => {
    const replicas = [await startFakeFleet(), await startFakeFleet()];
    const spy = spyDriver(createSimDrivers(1, { seed: 3 })[0]!);
    const agent = startTestAgent(
      replicas.map((replica) => replica.address),
      'agent-replicas',
      [spy.driver],
    );
    try {
      await waitFor(() => expect(agent.connected()).toBe(true));
      // The first address of the list is tried first.
      expect(replicas[0]!.messages('hello')).toHaveLength(1);
      expect(replicas[1]!.messages('hello')).toHaveLength(0);

      spy.hold();
      replicas[0]!.offer(offer('job-failover', 'dev-sim-79990000001'));
      await waitFor(() => expect(spy.counts.started).toBe(1));
      // The first replica dies: its stream ends and it takes no new one.
      replicas[0]!.refuse(true);
      replicas[0]!.endStream();
      await waitFor(() => expect(replicas[1]!.messages('hello')).toHaveLength(1));
      await waitFor(() => expect(agent.connected()).toBe(true));

      spy.release();
      const [result] = await waitFor(() => {
        const results = replicas[1]!.messages('result').filter((r) => r.jobId === 'job-failover');
        expect(results).toHaveLength(1);
        return results;
      });
      expect(result).toMatchObject({ sent: true, deviceId: 'dev-sim-79990000001' });
      // The second replica offers it again (as fleet does after any reconnect): answered from the journal, not sent twice.
      replicas[1]!.offer(offer('job-failover', 'dev-sim-79990000001'));
      await waitFor(() =>
        expect(replicas[1]!.messages('result').filter((r) => r.jobId === 'job-failover')).toHaveLength(2),
      );
      expect(spy.counts.started).toBe(1);
    } finally {
      spy.release();
      await agent.stop();
      await spy.driver.close();
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});

describe('device agent and a fleet that acks reports', () => {
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = initTelemetry({ serviceName: 'device-agent-test' });
  });
  afterAll(async () => {
    closeGrpcChannels();
    await telemetry.shutdown();
  });

  test('a report the fleet received but never stored goes to the next replica; an acked one does not', async () => {
    const replicas = [
      await startFakeFleet({ acksReports: true }),
      await startFakeFleet({ acksReports: true }),
    ];
    const spy = spyDriver(
      createSimDrivers(1, {
        seed: 5,
        deliveredAfterMs: { min: 1, max: 2 },
        readAfterMs: { min: 5_000, max: 5_000 },
      })[0]!,
    );
    const deviceId = 'dev-sim-79990000001';
    const agent = startTestAgent(
      replicas.map((replica) => replica.address),
      'agent-acks',
      [spy.driver],
    );
    try {
      await waitFor(() => expect(agent.connected()).toBe(true));
      replicas[0]!.offer(offer('job-acked', deviceId));
      // The result and the DELIVERED receipt reach the first replica, numbered.
      const numbered = await waitFor(() => {
        const reports = replicas[0]!.received().filter((message) => message.reportSeq);
        expect(reports.map((message) => message.kind?.$case)).toEqual(['result', 'receipt']);
        return reports;
      });
      // It stores the result, then dies holding the receipt.
      replicas[0]!.ack(numbered[0]!.reportSeq!);
      await new Promise((resolve) => setTimeout(resolve, 100));
      replicas[0]!.refuse(true);
      replicas[0]!.endStream();

      const resent = await waitFor(() => {
        const reports = replicas[1]!.received().filter((message) => message.reportSeq);
        expect(reports.map((message) => message.kind?.$case)).toEqual(['receipt']);
        return reports;
      });
      expect(resent[0]!.kind).toEqual(numbered[1]!.kind);
      expect(spy.counts.started).toBe(1);
    } finally {
      await agent.stop();
      await spy.driver.close();
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
