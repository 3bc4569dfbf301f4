/**
 * Reads a WhatsApp notification the way an automation app (Automagic, Tasker, MacroDroid)
 * captures it: a title and a text (Automagic's `%notification_title` / `%notification_text`),
 * sometimes the lines of an inbox-style notification, or everything in one text body. The
 * phone sends it as it is; what it means is decided here, so the phone's flow stays dumb.
 */

export interface RawNotification {
  title?: string;
  text?: string;
  /** The lines of an inbox-style (grouped) notification, when the app exposes them. */
  lines?: string[];
  /** The posting app, when the phone sends it: anything but WhatsApp is ignored. */
  packageName?: string;
}

export type MediaKind =
  | 'photo'
  | 'video'
  | 'voice'
  | 'audio'
  | 'document'
  | 'location'
  | 'contact'
  | 'sticker'
  | 'gif';

export interface NotifiedMessage {
  /** The chat's name as WhatsApp shows it: a contact's name or a formatted number. */
  sender: string;
  /** The sender's number (digits) when the notification shows one, else empty. */
  from: string;
  text: string;
  /** Set for a message in a group chat ("Bob @ Family"). */
  group?: string;
  /** Set when the text is WhatsApp's placeholder for a media message ("📷 Photo"). */
  media?: MediaKind;
}

export type ParsedNotification =
  | { kind: 'messages'; messages: NotifiedMessage[] }
  | { kind: 'ignored'; reason: string };

export const whatsappPackages: readonly string[] = ['com.whatsapp', 'com.whatsapp.w4b'];

/** Titles WhatsApp uses for notifications about itself rather than about one chat. */
const appTitles = /^WhatsApp(?: Business)?$/i;

/** "2 new messages", "5 messages from 3 chats", "2 новых сообщения", "5 сообщений из 3 чатов". */
const summaryPatterns = [
  /^\d+ (?:new )?messages?(?: from \d+ chats?)?$/i,
  /^\d+ (?:нов\S* )?сообщени\S*(?: из \d+ чат\S*)?$/i,
];

/**
 * Calls, WhatsApp Web, backups, deletions and reactions: notifications that are not a
 * message. Anchored at the start, so a message that merely mentions a call still counts.
 */
const notMessagePatterns: Array<[RegExp, string]> = [
  [
    /^(?:📞\s*)?(?:missed|incoming|ongoing) (?:group )?(?:voice|video) call\b|^\d+ missed (?:voice |video )?calls?$|^(?:calling|ringing)…?$/i,
    'a call',
  ],
  [
    /^(?:📞\s*)?(?:пропущенн|входящ|текущ)\S* (?:групповой )?(?:аудио|видео)?звонок|^\d+ пропущенн\S* (?:звонк|вызов)/i,
    'a call',
  ],
  [
    /^whatsapp web is (?:currently )?active|^checking for new messages|^backing up messages|^backup in progress|^restoring media/i,
    'a WhatsApp service notification',
  ],
  [
    /^проверка новых сообщений|^резервное копирование|^восстановление медиа|^whatsapp web активен/i,
    'a WhatsApp service notification',
  ],
  [/^this message was deleted$|^(?:данное|это) сообщение (?:было )?удалено$/i, 'a deleted message'],
  [/^reacted .+ to[: ]|^отреагировал/i, 'a reaction'],
];

const mediaMarkers: Array<[RegExp, MediaKind]> = [
  [/^📷/u, 'photo'],
  [/^(?:🎥|📹)/u, 'video'],
  [/^🎤/u, 'voice'],
  [/^🎵/u, 'audio'],
  [/^📄/u, 'document'],
  [/^📍/u, 'location'],
  [/^👤/u, 'contact'],
  [/^(?:💟|🩷)|^sticker$|^стикер$/iu, 'sticker'],
  [/^(?:👾|🎬)|^gif$/iu, 'gif'],
];

/** Direction marks WhatsApp wraps numbers and names in, so they read left to right anywhere. */
const bidiMarks = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function clean(value: string | undefined): string {
  return (value ?? '').replace(bidiMarks, '').replace(/\r\n?/g, '\n').trim();
}

/** "Anna (3 messages)", "Anna (3 сообщения)", "Family (2)": the count is not part of the name. */
function withoutCount(title: string): string {
  return title.replace(/\s*\(\d+(?:\s[^()]*)?\)$/, '').trim();
}

export function parseWhatsAppNotification(raw: RawNotification): ParsedNotification {
  if (
    raw.packageName !== undefined &&
    raw.packageName !== '' &&
    !whatsappPackages.includes(raw.packageName)
  ) {
    return { kind: 'ignored', reason: `not a WhatsApp notification (${raw.packageName})` };
  }
  let title = clean(raw.title);
  let text = clean(raw.text);
  let lines = (raw.lines ?? []).map(clean).filter((line) => line !== '');
  if (title === '' && lines.length === 0) {
    // One text body: "Title\ntext…" or "Title: text".
    const split = splitBody(text);
    if (!split) return { kind: 'ignored', reason: 'no sender in the notification' };
    [title, text] = split;
  }
  // With lines, the text is only a summary and each line is judged on its own.
  const noise = notMessageReason(title) ?? (lines.length === 0 ? notMessageReason(text) : undefined);
  if (noise) return { kind: 'ignored', reason: noise };

  if (appTitles.test(withoutCount(title))) {
    // A notification of the app itself: grouped chats list "Sender: text" lines, anything
    // else (a summary, a service notice) carries no message.
    const candidates = lines.length > 0 ? lines : text.split('\n');
    const messages = candidates.flatMap((line) => {
      const split = splitOnColon(line);
      return split ? messagesFrom(split[0], [split[1]]) : [];
    });
    return messages.length > 0
      ? { kind: 'messages', messages }
      : { kind: 'ignored', reason: isSummary(text) ? 'a summary of grouped chats' : 'not a message' };
  }
  if (lines.length === 0 && isSummary(text)) return { kind: 'ignored', reason: 'a summary of grouped chats' };
  if (lines.length === 0) lines = [text];
  const messages = messagesFrom(withoutCount(title), lines);
  return messages.length > 0 ? { kind: 'messages', messages } : { kind: 'ignored', reason: 'no text' };
}

function isSummary(text: string): boolean {
  return summaryPatterns.some((pattern) => pattern.test(text));
}

function notMessageReason(value: string): string | undefined {
  return notMessagePatterns.find(([pattern]) => pattern.test(value))?.[1];
}

function splitBody(body: string): [string, string] | undefined {
  const newline = body.indexOf('\n');
  if (newline > 0) return [body.slice(0, newline).trim(), body.slice(newline + 1).trim()];
  return splitOnColon(body);
}

/** "Anna: hi" → ["Anna", "hi"]; "Bob @ Family: hi" → ["Bob @ Family", "hi"]. */
function splitOnColon(line: string): [string, string] | undefined {
  const match = /^([^:\n]{1,100}?):\s+([\s\S]+)$/.exec(line);
  return match ? [match[1]!.trim(), match[2]!.trim()] : undefined;
}

/** The messages of one chat, `title` being its name ("Anna", "+7 916 …", "Bob @ Family"). */
function messagesFrom(title: string, texts: string[]): NotifiedMessage[] {
  const [sender, group] = splitGroup(withoutCount(title));
  if (sender === '') return [];
  return texts
    .filter((text) => text !== '' && !notMessageReason(text))
    .map((text) => {
      const message: NotifiedMessage = { sender, from: phoneDigits(sender) ?? '', text };
      if (group !== undefined) message.group = group;
      const media = mediaMarkers.find(([pattern]) => pattern.test(text))?.[1];
      if (media !== undefined) message.media = media;
      return message;
    });
}

/** WhatsApp titles a group message "Sender @ Group"; a sender who is not a contact gets "~". */
function splitGroup(title: string): [string, string | undefined] {
  const at = title.lastIndexOf(' @ ');
  if (at < 0) return [title.replace(/^~\s*/, ''), undefined];
  return [title.slice(0, at).replace(/^~\s*/, '').trim(), title.slice(at + 3).trim()];
}

/** A sender who is not a contact is shown by their number, formatted: `+7 916 123-45-67`. */
function phoneDigits(sender: string): string | undefined {
  if (!/^\+?[\d\s()\u2010-\u2012-]+$/.test(sender)) return undefined;
  const digits = sender.replace(/\D/g, '');
  return /^\d{5,15}$/.test(digits) ? digits : undefined;
}
