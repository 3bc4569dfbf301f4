import { describeStatusError, StatusErrorCode } from '@wagate/errors';
import type { SendOutcome } from '../../driver.js';
import { inChat } from './chat.js';
import { chatLink } from './chat-link.js';
import type { Phone } from './phone.js';
import { sameText } from './same-text.js';
import type { ScreenReader } from './screen-reader.js';
import { isLockedOut, type LockedOut, type Screen } from './screens.js';
import { centre, type UiNode } from './ui-dump.js';

export interface SendTimeouts {
  /** From opening the chat link to a chat ready to send (or WhatsApp's refusal). */
  chatOpenMs: number;
  /** From tapping send to the chat showing the message gone from its input. */
  confirmMs: number;
}

/**
 * Sends one text the way a person would: opens the chat from a link that carries the text,
 * waits until the chat's input holds exactly that text, taps send, and checks the input
 * emptied. WhatsApp's "not on WhatsApp" dialog ends it with 2305; anything else that keeps
 * the chat from opening ends it with 2313 and says what the phone showed instead.
 */
export async function sendText(
  phone: Phone,
  reader: ScreenReader,
  message: { recipient: string; text: string },
  timeouts: SendTimeouts,
  onLeaveError: (error: unknown) => void,
): Promise<SendOutcome> {
  const { recipient, text } = message;
  if (text.trim() === '') return failed(StatusErrorCode.Unknown, 'nothing to send: the text is empty');
  const url = chatLink(recipient, text);
  return inChat(phone, url, () => tapSendWhenReady(phone, reader, text, timeouts), onLeaveError);
}

async function tapSendWhenReady(
  phone: Phone,
  reader: ScreenReader,
  text: string,
  timeouts: SendTimeouts,
): Promise<SendOutcome> {
  const { found, last } = await reader.waitFor<Opened>((screen) => {
    // Only a chat whose input holds our text is ours: a chat still showing from before would
    // not, and tapping its send button would send to the wrong person.
    if (screen.kind === 'chat') {
      return screen.send && sameText(screen.entry.text, text)
        ? { kind: 'ready', send: screen.send }
        : undefined;
    }
    return screen.kind === 'not-on-whatsapp' || isLockedOut(screen) ? screen : undefined;
  }, timeouts.chatOpenMs);

  if (!found) return failed(StatusErrorCode.Unknown, notOpened(last, timeouts.chatOpenMs));
  if (found.kind === 'not-on-whatsapp') {
    const errorCode = StatusErrorCode.NotOnWhatsApp;
    return failed(errorCode, `${describeStatusError(errorCode)} (WhatsApp said: "${found.message}")`);
  }
  if (found.kind !== 'ready') {
    return failed(StatusErrorCode.Unknown, `WhatsApp cannot send (${found.kind}): "${found.message}"`);
  }

  await phone.tap(centre(found.send.bounds));
  const atMs = Date.now();
  // The input empties (and the send button gives way to the microphone) once WhatsApp has
  // taken the message. A bubble with the same text proves nothing: it may be an older one.
  const confirmed = await reader.waitFor(
    (screen) =>
      screen.kind === 'chat' && (!screen.send || !sameText(screen.entry.text, text)) ? true : undefined,
    timeouts.confirmMs,
  );
  if (!confirmed.found) {
    return failed(
      StatusErrorCode.Unknown,
      `tapped send, but the chat's input still held the text after ${timeouts.confirmMs} ms: the message may or may not have left`,
    );
  }
  return { sent: true, atMs };
}

/** What waiting for the chat can end with, besides a time-out. */
type Opened = { kind: 'ready'; send: UiNode } | Extract<Screen, { kind: 'not-on-whatsapp' }> | LockedOut;

function notOpened(last: Screen | undefined, timeoutMs: number): string {
  const within = `within ${timeoutMs} ms`;
  switch (last?.kind) {
    case undefined:
      return `the screen could not be read ${within}`;
    case 'chat':
      return `the chat opened, but its input did not hold the message text ${within}`;
    case 'whatsapp':
      return `WhatsApp did not open the chat ${within}`;
    default:
      return `WhatsApp did not come to the front ${within}`;
  }
}

export function failed(errorCode: number, reason: string): SendOutcome {
  return { sent: false, errorCode, reason };
}
