import { basename } from 'node:path';
import { describeStatusError, StatusErrorCode } from '@wagate/errors';
import type { SendOutcome } from '../../driver.js';
import type { DownloadedMedia } from '../../media/download-media.js';
import { inWhatsApp } from './chat.js';
import { pollUntil } from './poll.js';
import type { Phone } from './phone.js';
import type { ScreenReader } from './screen-reader.js';
import { isLockedOut, type LockedOut, type Screen } from './screens.js';
import { failed, type SendTimeouts } from './send-text.js';
import { centre, type UiNode } from './ui-dump.js';

/** Where shared files wait on the phone: shared storage, so the media store can hand WhatsApp a content:// URI. */
export const mediaDir = '/sdcard/Download/wagate';

/**
 * Sends a file the way the share sheet does: pushes it to the phone's shared storage, has the
 * media store index it (WhatsApp refuses file:// URIs), starts WhatsApp's share intent for it
 * with the recipient preselected (`jid`) and the text as its caption, taps send on the preview,
 * and checks the preview closed. The file is deleted from the phone afterwards, sent or not.
 * If WhatsApp asks which chat instead of opening the preview, nothing is chosen for it: the
 * send fails (2313) rather than risk the wrong recipient.
 */
export async function sendMedia(
  phone: Phone,
  reader: ScreenReader,
  message: { recipient: string; text: string; media: DownloadedMedia },
  timeouts: SendTimeouts & { pollIntervalMs: number },
  onLeaveError: (error: unknown) => void,
): Promise<SendOutcome> {
  const remotePath = `${mediaDir}/${basename(message.media.path)}`;
  await phone.shell(['mkdir', '-p', mediaDir]);
  await phone.push(message.media.path, remotePath);
  try {
    const uri = await indexInMediaStore(phone, remotePath, timeouts);
    if (!uri) {
      return failed(
        StatusErrorCode.Unknown,
        `the media store did not index ${remotePath} within ${timeouts.chatOpenMs} ms: nothing was sent`,
      );
    }
    const intent = [
      'android.intent.action.SEND',
      '-t',
      message.media.contentType,
      '--eu',
      'android.intent.extra.STREAM',
      uri,
      ...(message.text.trim() === '' ? [] : ['--es', 'android.intent.extra.TEXT', message.text]),
      '--es',
      'jid',
      `${message.recipient}@s.whatsapp.net`,
      '--grant-read-uri-permission',
    ];
    return await inWhatsApp(
      phone,
      () => phone.startWhatsApp(intent),
      () => tapSendOnPreview(phone, reader, timeouts),
      onLeaveError,
    );
  } finally {
    await phone.shell(['rm', '-f', remotePath]).catch(onLeaveError);
  }
}

/** Asks the media scanner to index the file and waits for its row: `content://media/external/file/<id>`. */
async function indexInMediaStore(
  phone: Phone,
  remotePath: string,
  timeouts: { chatOpenMs: number; pollIntervalMs: number },
): Promise<string | undefined> {
  await phone.shell([
    'am',
    'broadcast',
    '-a',
    'android.intent.action.MEDIA_SCANNER_SCAN_FILE',
    '-d',
    `file://${remotePath}`,
  ]);
  // /sdcard is a link: the store records /storage/emulated/0/…, so match on the path's tail.
  const where = `_data LIKE '%${remotePath.slice('/sdcard'.length)}'`;
  return pollUntil(
    async () => {
      const rows = await phone.shell([
        'content',
        'query',
        '--uri',
        'content://media/external/file',
        '--projection',
        '_id',
        '--where',
        where,
      ]);
      const id = /\b_id=(\d+)/.exec(rows)?.[1];
      return id === undefined ? undefined : `content://media/external/file/${id}`;
    },
    { timeoutMs: timeouts.chatOpenMs, intervalMs: timeouts.pollIntervalMs },
  );
}

type Preview =
  | { kind: 'preview'; send: UiNode }
  | Extract<Screen, { kind: 'not-on-whatsapp' | 'share-picker' }>
  | LockedOut;

async function tapSendOnPreview(
  phone: Phone,
  reader: ScreenReader,
  timeouts: SendTimeouts,
): Promise<SendOutcome> {
  const { found, last } = await reader.waitFor<Preview>((screen) => {
    if (screen.kind === 'media-preview') return { kind: 'preview', send: screen.send };
    return screen.kind === 'not-on-whatsapp' || screen.kind === 'share-picker' || isLockedOut(screen)
      ? screen
      : undefined;
  }, timeouts.chatOpenMs);

  if (!found) {
    return failed(
      StatusErrorCode.Unknown,
      `WhatsApp did not show the media preview within ${timeouts.chatOpenMs} ms (it showed: ${last?.kind ?? 'nothing readable'})`,
    );
  }
  switch (found.kind) {
    case 'not-on-whatsapp':
      return failed(
        StatusErrorCode.NotOnWhatsApp,
        `${describeStatusError(StatusErrorCode.NotOnWhatsApp)} (WhatsApp said: "${found.message}")`,
      );
    case 'share-picker':
      return failed(
        StatusErrorCode.Unknown,
        'WhatsApp asked which chat to share to instead of opening the recipient: nothing was sent',
      );
    case 'preview':
      break;
    default:
      return failed(StatusErrorCode.Unknown, `WhatsApp cannot send (${found.kind}): "${found.message}"`);
  }

  await phone.tap(centre(found.send.bounds));
  const atMs = Date.now();
  const closed = await reader.waitFor(
    (screen) => (screen.kind !== 'media-preview' ? true : undefined),
    timeouts.confirmMs,
  );
  if (!closed.found) {
    return failed(
      StatusErrorCode.Unknown,
      `tapped send, but the media preview was still open after ${timeouts.confirmMs} ms: the file may or may not have left`,
    );
  }
  return { sent: true, atMs };
}
