import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StatusErrorCode } from '@wagate/errors';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SendJob } from '../../src/driver.js';
import {
  awake,
  back,
  backHome,
  dumpCommands,
  sendButtonCentre,
  useAdbDrivers,
} from '../support/adb-phone.js';
import type { FakeAdbRule, FakeAdbScenario } from '../support/fake-adb.js';

/** A file server for contentUrl: /photo.png is an image; the others are what WhatsApp refuses. */
const photo = randomBytes(4096);
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/photo.png') {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': photo.length });
      response.end(photo);
    } else if (request.url === '/huge.png') {
      // Says it is 17 MB: refused from the header, before any of it is read.
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': 17 * 1024 * 1024 });
      response.end();
    } else if (request.url === '/page.html') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html></html>');
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const mediaJob = (path: string, text = 'Your invoice'): SendJob => ({
  jobId: 'job-7',
  messageId: 'msg-7',
  recipient: '79161234567',
  text,
  contentUrl: `${base}${path}`,
});

const indexed: FakeAdbRule = { when: 'content query', stdout: 'Row: 0 _id=42\n' };
const shares = (...screens: string[]): FakeAdbRule => ({
  when: 'am start -a android.intent.action.SEND',
  screens: ['ui-home.xml', ...screens],
});
const tapSendOnPreview: FakeAdbRule = {
  when: 'input tap',
  tap: 'com.whatsapp:id/send',
  screens: ['ui-chat-sent.xml'],
};
const sharing = (...screens: string[]): FakeAdbScenario => ({
  screens: ['ui-home.xml'],
  rules: [awake, indexed, shares(...screens), tapSendOnPreview, backHome],
});
const remote = '/sdcard/Download/wagate/job-7.png';
const loopbackAllowed = { media: { allowLoopback: true } };

describe('adb driver: media through the share intent', () => {
  const phone = useAdbDrivers();

  test('pushes the file, has the media store index it, shares it to the recipient with the caption, taps send, deletes it', async () => {
    const driver = await phone.driverFor(sharing('ui-media-preview.xml'), loopbackAllowed);
    const outcome = await driver.send(mediaJob('/photo.png'));
    expect(outcome).toEqual({ sent: true, atMs: expect.any(Number) });

    const calls = await phone.fake().invocations();
    const push = calls.find((call) => call.pushed)?.pushed;
    // What reached the phone is the file the URL served, byte for byte.
    expect(push).toMatchObject({
      remote,
      bytes: photo.length,
      sha256: createHash('sha256').update(photo).digest('hex'),
    });
    expect(existsSync(push!.local)).toBe(false); // the agent's copy is gone too
    expect(await phone.fake().commands()).toEqual([
      ['mkdir', '-p', '/sdcard/Download/wagate'],
      ['am', 'broadcast', '-a', 'android.intent.action.MEDIA_SCANNER_SCAN_FILE', '-d', `file://${remote}`],
      [
        'content',
        'query',
        '--uri',
        'content://media/external/file',
        '--projection',
        '_id',
        '--where',
        "_data LIKE '%/Download/wagate/job-7.png'",
      ],
      ['dumpsys', 'power'],
      [
        'am',
        'start',
        '-a',
        'android.intent.action.SEND',
        '-t',
        'image/png',
        '--eu',
        'android.intent.extra.STREAM',
        'content://media/external/file/42',
        '--es',
        'android.intent.extra.TEXT',
        'Your invoice',
        '--es',
        'jid',
        '79161234567@s.whatsapp.net',
        '--grant-read-uri-permission',
        '-p',
        'com.whatsapp',
      ],
      ...dumpCommands, // still the home screen
      ...dumpCommands, // the preview
      sendButtonCentre,
      ...dumpCommands, // the preview closed: WhatsApp shows the chat
      back,
      back,
      ['rm', '-f', remote],
    ]);
  });

  test('a file over its kind’s size fails with 2303 before the phone is touched', async () => {
    const driver = await phone.driverFor(sharing('ui-media-preview.xml'), loopbackAllowed);
    const outcome = await driver.send(mediaJob('/huge.png'));
    expect(outcome).toMatchObject({ sent: false, errorCode: StatusErrorCode.MediaNotSupported });
    if (!outcome.sent) expect(outcome.reason).toMatch(/16 MB/);
    expect(await phone.fake().invocations()).toEqual([]);
  });

  test('a URL serving a type WhatsApp does not take fails with 2303, the phone untouched', async () => {
    const driver = await phone.driverFor(sharing('ui-media-preview.xml'), loopbackAllowed);
    const outcome = await driver.send(mediaJob('/page.html'));
    expect(outcome).toMatchObject({ sent: false, errorCode: StatusErrorCode.MediaNotSupported });
    if (!outcome.sent) expect(outcome.reason).toMatch(/text\/html/);
    expect(await phone.fake().invocations()).toEqual([]);
  });

  test('a URL on a loopback or private address is not fetched unless the agent allows it', async () => {
    let fetched = false;
    server.once('request', () => {
      fetched = true;
    });
    const driver = await phone.driverFor(sharing('ui-media-preview.xml'));
    const outcome = await driver.send(mediaJob('/photo.png'));
    expect(outcome).toMatchObject({ sent: false, errorCode: StatusErrorCode.Unknown });
    if (!outcome.sent) expect(outcome.reason).toMatch(/contentUrl refused: .*loopback/);
    expect(fetched).toBe(false);
    expect(await phone.fake().invocations()).toEqual([]);
  });

  test('WhatsApp asking which chat to share to: nothing is picked for it, nothing sent, the file deleted', async () => {
    const driver = await phone.driverFor(sharing('ui-share-picker.xml'), loopbackAllowed);
    const outcome = await driver.send(mediaJob('/photo.png'));
    expect(outcome).toMatchObject({ sent: false, errorCode: StatusErrorCode.Unknown });
    if (!outcome.sent) expect(outcome.reason).toMatch(/asked which chat/);
    const commands = await phone.fake().commands();
    expect(commands.some((command) => command[0] === 'input' && command[1] === 'tap')).toBe(false);
    expect(commands.at(-1)).toEqual(['rm', '-f', remote]);
  });

  test('no caption extra when the message has no text', async () => {
    const driver = await phone.driverFor(sharing('ui-media-preview.xml'), loopbackAllowed);
    expect((await driver.send(mediaJob('/photo.png', ''))).sent).toBe(true);
    const share = (await phone.fake().commands()).find((command) =>
      command.includes('android.intent.action.SEND'),
    );
    expect(share).not.toContain('android.intent.extra.TEXT');
  });
});
