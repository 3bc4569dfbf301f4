import { fleet } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import { closeGrpcChannels } from '@wagate/rpc';
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Agent, AutomationServer } from '../../src/index.js';
import { automationPhone, phoneTokens, startTwoPhones } from '../support/automation-phone.js';
import { type FakeFleet, startFakeFleet } from '../support/fake-fleet.js';
import { jobOffer } from '../support/job-offer.js';
import { startTestAgent } from '../support/test-agent.js';

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 5_000, interval: 10 });

const offer = (jobId: string, recipient?: string) =>
  jobOffer(jobId, 'dev-pixel-1', { recipient, text: 'Your code: 4821' });

describe('automation phones behind a device agent, with a fleet over real gRPC', () => {
  let fakeFleet: FakeFleet;
  let server: AutomationServer;
  let agent: Agent;
  let phone: ReturnType<typeof automationPhone>;

  beforeEach(async () => {
    fakeFleet = await startFakeFleet();
    server = await startTwoPhones({ deadlines: { pickupMs: 5_000, resultMs: 400 } });
    agent = startTestAgent(fakeFleet.address, 'agent-automation', server.drivers);
    await waitFor(() => expect(agent.connected()).toBe(true));
    phone = automationPhone(server.url, phoneTokens[0]);
  });
  afterEach(async () => {
    await agent.stop();
    await server.close();
    await fakeFleet.close();
  });
  afterAll(() => closeGrpcChannels());

  const resultOf = (jobId: string) => fakeFleet.messages('result').find((result) => result.jobId === jobId);

  test('the agent names the phones as automation devices with their numbers', () => {
    const [hello] = fakeFleet.messages('hello');
    expect(hello?.devices).toEqual([
      expect.objectContaining({ deviceKey: 'pixel-1', phoneNumber: '79990000001', driver: 'automation' }),
      expect.objectContaining({ deviceKey: 'pixel-2', phoneNumber: '79990000002', driver: 'automation' }),
    ]);
  });

  test('an offered job reaches the phone, its report reaches the fleet, then its ticks', async () => {
    fakeFleet.offer(offer('job-1'));
    const job = await phone.nextJob();
    expect(job).toMatchObject({ jobId: 'job-1', phone: '79161234567', text: 'Your code: 4821' });
    await phone.report(job.jobId, { sent: true });
    await waitFor(() =>
      expect(resultOf('job-1')).toMatchObject({ sent: true, errorCode: 0, messageId: 'msg-job-1' }),
    );
    await phone.receipt(job.jobId, 'delivered');
    await phone.receipt(job.jobId, 'read');
    await waitFor(() =>
      expect(fakeFleet.messages('receipt').map((receipt) => receipt.kind)).toEqual([
        fleet.ReceiptKind.RECEIPT_KIND_DELIVERED,
        fleet.ReceiptKind.RECEIPT_KIND_READ,
      ]),
    );
  });

  test('a recipient not on WhatsApp reaches the fleet as 2305', async () => {
    fakeFleet.offer(offer('job-2', '79160000000'));
    const job = await phone.nextJob();
    await phone.report(job.jobId, { sent: false, error: 'not_on_whatsapp' });
    await waitFor(() =>
      expect(resultOf('job-2')).toMatchObject({ sent: false, errorCode: StatusErrorCode.NotOnWhatsApp }),
    );
  });

  test('a phone that takes a job and goes silent: the fleet hears 2313 (unknown), and the phone gets the next job', async () => {
    fakeFleet.offer(offer('job-3'));
    await phone.nextJob();
    await waitFor(() =>
      expect(resultOf('job-3')).toMatchObject({ sent: false, errorCode: StatusErrorCode.Unknown }),
    );
    // The agent gave its credit back, so the fleet can offer the device its next job.
    fakeFleet.offer(offer('job-4'));
    expect((await phone.nextJob()).jobId).toBe('job-4');
    await phone.report('job-4', { sent: true });
    await waitFor(() => expect(resultOf('job-4')).toMatchObject({ sent: true }));
  });

  test('a WhatsApp notification reaches the fleet as an inbound message of that device', async () => {
    await phone.notify({ title: 'WhatsApp', lines: ['Anna: Hello!', '+44 7700 900123: Is it in stock?'] });
    await waitFor(() =>
      expect(fakeFleet.messages('inbound')).toEqual([
        expect.objectContaining({ deviceId: 'dev-pixel-1', from: '', profileName: 'Anna', text: 'Hello!' }),
        expect.objectContaining({ deviceId: 'dev-pixel-1', from: '447700900123', text: 'Is it in stock?' }),
      ]),
    );
  });

  test('heartbeats show a polling phone online and a silent one offline', async () => {
    await phone.poll('wait=0&battery=64');
    await waitFor(() => {
      const beats = fakeFleet.messages('heartbeat');
      expect(beats.findLast((beat) => beat.deviceId === 'dev-pixel-1')).toMatchObject({
        networkUp: true,
        batteryPercent: 64,
      });
      expect(beats.findLast((beat) => beat.deviceId === 'dev-pixel-2')).toMatchObject({ networkUp: false });
    });
  });
});
