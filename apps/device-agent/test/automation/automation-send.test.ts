import { StatusErrorCode } from '@wagate/errors';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { AutomationServer } from '../../src/index.js';
import { automationPhone, phoneTokens, sendJob as job, startTwoPhones } from '../support/automation-phone.js';

describe('automation driver: sending through a phone that polls', () => {
  let server: AutomationServer;
  let phone: ReturnType<typeof automationPhone>;
  let otherPhone: ReturnType<typeof automationPhone>;

  beforeEach(async () => {
    server = await startTwoPhones();
    phone = automationPhone(server.url, phoneTokens[0]);
    otherPhone = automationPhone(server.url, phoneTokens[1]);
  });
  afterEach(() => server.close());

  const driver = () => server.drivers[0]!;

  test('the phone polls, gets the job with ready-made chat links, reports it sent, and send() resolves', async () => {
    const sending = driver().send(job('job-1'));
    const taken = await phone.nextJob();
    expect(taken).toEqual({
      jobId: 'job-1',
      messageId: 'msg-job-1',
      phone: '79161234567',
      text: 'Привет & hello?',
      link: 'https://api.whatsapp.com/send?phone=79161234567&text=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%20%26%20hello%3F',
      waMeLink: 'https://wa.me/79161234567?text=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%20%26%20hello%3F',
      whatsappUri:
        'whatsapp://send?phone=79161234567&text=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%20%26%20hello%3F',
    });
    const report = await phone.report('job-1', { sent: true });
    expect(report.status).toBe(200);
    expect(await report.json()).toEqual({ status: 'accepted' });
    await expect(sending).resolves.toMatchObject({ sent: true });
  });

  test('a poll that is waiting gets the job as soon as it is offered', async () => {
    const polling = phone.poll('wait=20');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sending = driver().send(job('job-2'));
    const response = await polling;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ jobId: 'job-2' });
    await phone.report('job-2', { sent: true });
    await expect(sending).resolves.toMatchObject({ sent: true });
  });

  test('no job within the wait: 204 and no body', async () => {
    const response = await phone.poll('wait=1');
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  test('"not_on_whatsapp" fails the send with 2305', async () => {
    const sending = driver().send(job('job-3', { recipient: '79160000000' }));
    await phone.nextJob();
    await phone.report('job-3', { sent: false, error: 'not_on_whatsapp' });
    await expect(sending).resolves.toMatchObject({ sent: false, errorCode: StatusErrorCode.NotOnWhatsApp });
  });

  test("any other error the phone reports fails the send with 2313 and the phone's words", async () => {
    const sending = driver().send(job('job-4'));
    await phone.nextJob();
    await phone.report('job-4', { sent: false, error: 'send button not found' });
    await expect(sending).resolves.toEqual({
      sent: false,
      errorCode: StatusErrorCode.Unknown,
      reason: 'the phone reported: send button not found',
    });
  });

  test('a form-encoded report works as well as JSON (what Automagic and Tasker send most easily)', async () => {
    const sending = driver().send(job('job-5'));
    await phone.nextJob();
    const report = await phone.postForm('/jobs/job-5/result', { sent: 'false', error: 'not_on_whatsapp' });
    expect(report.status).toBe(200);
    await expect(sending).resolves.toMatchObject({ errorCode: StatusErrorCode.NotOnWhatsApp });
  });

  test('polling again without reporting gets the same job again, never a second one', async () => {
    const first = driver().send(job('job-6'));
    const second = driver().send(job('job-7'));
    expect((await phone.nextJob()).jobId).toBe('job-6');
    expect((await phone.nextJob()).jobId).toBe('job-6');
    await phone.report('job-6', { sent: true });
    await expect(first).resolves.toMatchObject({ sent: true });
    expect((await phone.nextJob()).jobId).toBe('job-7');
    await phone.report('job-7', { sent: true });
    await expect(second).resolves.toMatchObject({ sent: true });
  });

  test('a repeated report is accepted and changes nothing', async () => {
    const sending = driver().send(job('job-8'));
    await phone.nextJob();
    await phone.report('job-8', { sent: true });
    const again = await phone.report('job-8', { sent: false, error: 'not_on_whatsapp' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'repeated' });
    await expect(sending).resolves.toMatchObject({ sent: true });
  });

  test("each phone sees only its own jobs: another phone's poll and report find nothing", async () => {
    const sending = driver().send(job('job-9'));
    expect((await otherPhone.poll()).status).toBe(204);
    expect((await otherPhone.report('job-9', { sent: true })).status).toBe(404);
    await phone.nextJob();
    expect((await otherPhone.report('job-9', { sent: true })).status).toBe(404);
    await phone.report('job-9', { sent: true });
    await expect(sending).resolves.toMatchObject({ sent: true });
  });

  test('a report for a job never handed out is 404', async () => {
    const response = await phone.report('job-nobody-gave', { sent: true });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'unknown_job',
      message: 'no job job-nobody-gave was handed to this phone',
    });
  });

  test('a media message is refused with 2303 without reaching the phone', async () => {
    const outcome = await driver().send(job('job-10', { contentUrl: 'https://example.com/a.jpg' }));
    expect(outcome).toMatchObject({ sent: false, errorCode: StatusErrorCode.MediaNotSupported });
    expect((await phone.poll()).status).toBe(204);
  });

  test('the heartbeat tells whether the phone is polling, with the battery it reports', async () => {
    expect(await driver().heartbeat()).toMatchObject({ networkUp: false, batteryPercent: 0 });
    expect((await phone.poll('wait=0&battery=83')).status).toBe(204);
    expect(await driver().heartbeat()).toMatchObject({ networkUp: true, batteryPercent: 83 });
  });
});

describe('automation driver: deadlines', () => {
  let server: AutomationServer;
  let phone: ReturnType<typeof automationPhone>;

  beforeEach(async () => {
    server = await startTwoPhones({ deadlines: { pickupMs: 300, resultMs: 300 } });
    phone = automationPhone(server.url, phoneTokens[0]);
  });
  afterEach(() => server.close());

  test('a job the phone never polls for is withdrawn: send() throws, and a later poll gets nothing', async () => {
    await expect(server.drivers[0]!.send(job('job-11'))).rejects.toThrow(
      /did not poll for job job-11 .*withdrawn, not sent/,
    );
    expect((await phone.poll()).status).toBe(204);
  });

  test('a job taken but never reported: send() throws (outcome unknown) and a late report is 409', async () => {
    const sending = server.drivers[0]!.send(job('job-12'));
    await phone.nextJob();
    await expect(sending).rejects.toThrow(
      /took job job-12 but reported no result .*may or may not have been sent/,
    );
    const late = await phone.report('job-12', { sent: true });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: 'job_expired' });
  });

  test('closing the driver fails the job that is out and ends waiting polls', async () => {
    const sending = server.drivers[0]!.send(job('job-13'));
    await phone.nextJob();
    const polling = automationPhone(server.url, phoneTokens[1]).poll('wait=20');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    await expect(sending).rejects.toThrow(/closed with job job-13 out/);
    expect((await polling).status).toBe(204);
  });
});
