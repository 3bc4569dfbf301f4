/**
 * Reads `dumpsys notification --noredact`: each posted notification is a
 * `NotificationRecord(0x…: pkg=… key=…: Notification(channel=… shortcut=… category=…))` line
 * followed by indented fields (`flags=0x…`, `key=…`, `mUpdateTimeMs=…`) and an `extras={…}`
 * block of `name=Type (value)` lines. Without `--noredact` the texts read `String [length=N]`.
 */

export interface NotificationRecord {
  packageName: string;
  /** `user|package|id|tag|uid`: one per notification, kept while the app updates it. */
  key: string;
  flags: number;
  category: string | undefined;
  shortcutId: string | undefined;
  /** When the notification was last posted or updated (ms since the epoch). */
  postedAtMs: number | undefined;
  /** Extras as printed: the value inside `Type (…)`, `null`, or undefined when redacted. */
  extras: Map<string, string | null | undefined>;
  /** A field printed twice: the text of a message forged lines of the dump. */
  ambiguous: boolean;
}

const headerPattern = /^(\s*)NotificationRecord\(0x[\da-f]+: pkg=(\S+) /;
/** A section of the notification manager's state, e.g. `  Notification List:`. */
const sectionPattern = /^ {2}(\S[^:]*):\s*$/;
const indentOf = (line: string) => line.length - line.trimStart().length;

export function parseNotificationRecords(dump: string): NotificationRecord[] {
  const records: NotificationRecord[] = [];
  let record: NotificationRecord | undefined;
  let headerIndent = 0;
  let extrasIndent: number | undefined;
  let lastExtra: { name: string; raw: string } | undefined;
  // Other sections (enqueued, snoozed, and on old Androids the lights list) print some of
  // the same records again; only the posted ones count.
  let inPosted = false;

  const finishExtra = () => {
    if (!record || !lastExtra) return;
    if (record.extras.has(lastExtra.name)) record.ambiguous = true;
    record.extras.set(lastExtra.name, extraValue(lastExtra.raw));
    lastExtra = undefined;
  };

  for (const line of dump.split(/\r?\n/)) {
    if (record && extrasIndent !== undefined) {
      // A message's own line breaks are printed as they are, so inside extras only a line
      // at exactly the extras' indentation starts a new field or closes the block.
      const field = new RegExp(`^ {${extrasIndent + 4}}([\\w.]+)=(.*)$`).exec(line);
      if (field) {
        finishExtra();
        lastExtra = { name: field[1]!, raw: field[2]! };
      } else if (new RegExp(`^ {${extrasIndent}}}\\s*$`).test(line)) {
        finishExtra();
        extrasIndent = undefined;
      } else if (lastExtra) {
        lastExtra.raw += `\n${line}`;
      }
      continue;
    }
    const section = sectionPattern.exec(line);
    if (section) {
      inPosted = section[1] === 'Notification List';
      record = undefined;
      continue;
    }
    // Looked for outside extras only. A message that closes extras early can still forge a
    // record from here on; confirmedRecords is what catches that.
    const header = inPosted ? headerPattern.exec(line) : null;
    if (header) {
      record = newRecord(header[2]!, line);
      headerIndent = header[1]!.length;
      records.push(record);
      continue;
    }
    if (!record) continue;
    if (line.trim() === '') continue;
    if (indentOf(line) <= headerIndent) {
      record = undefined;
      continue;
    }
    if (line.trim() === 'extras={') extrasIndent = indentOf(line);
    else readField(record, line.trim());
  }
  finishExtra();
  return records;
}

function newRecord(packageName: string, header: string): NotificationRecord {
  return {
    packageName,
    key: '',
    flags: 0,
    category: /\bcategory=([^\s)]+)/.exec(header)?.[1],
    shortcutId: /\bshortcut=([^\s)]+)/.exec(header)?.[1]?.replace(/^null$/, '') || undefined,
    postedAtMs: undefined,
    extras: new Map(),
    ambiguous: false,
  };
}

function readField(record: NotificationRecord, field: string): void {
  const [name, value = ''] = splitOnce(field, '=');
  if (name === 'key') record.key = value;
  else if (name === 'flags') record.flags = Number.parseInt(value.replace(/^0x/, ''), 16) || 0;
  // The update time moves with every new message in the same chat; creation does not.
  else if (name === 'mUpdateTimeMs' || (name === 'mCreationTimeMs' && record.postedAtMs === undefined)) {
    const ms = Number(value);
    if (Number.isSafeInteger(ms) && ms > 0) record.postedAtMs = ms;
  }
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** `String (Hello)` → `Hello`; `null` → null; `String [length=5]` (redacted) → undefined. */
function extraValue(raw: string): string | null | undefined {
  if (raw === 'null') return null;
  const match = /^[\w$.]+(?:\[\])? \(([\s\S]*)\)\s*$/.exec(raw);
  return match ? match[1] : undefined;
}

/** Notification flags (android.app.Notification.FLAG_*) of things that are not a new message. */
const notMessageFlags = {
  ongoingEvent: 0x2,
  foregroundService: 0x40,
  groupSummary: 0x200,
} as const;

/** One incoming message as WhatsApp's notification shows it. */
export interface NotificationMessage {
  notificationKey: string;
  /** The sender's number (digits), or empty when the notification does not show one. */
  from: string;
  /** The chat's title: the contact's name, or their number when they are not a contact. */
  profileName: string;
  text: string;
  postedAtMs: number | undefined;
}

/**
 * The messages WhatsApp's notifications show: one per chat, with the chat's newest message.
 * Group chats, summaries, ongoing notifications (backups, "WhatsApp Web is active"), calls,
 * redacted and forged records are left out.
 */
export function whatsappMessages(
  records: NotificationRecord[],
  whatsappPackage: string,
): NotificationMessage[] {
  const messages: NotificationMessage[] = [];
  for (const record of records) {
    if (record.packageName !== whatsappPackage || record.ambiguous) continue;
    if (Object.values(notMessageFlags).some((flag) => (record.flags & flag) !== 0)) continue;
    if (record.category !== undefined && record.category !== 'msg') continue;
    if (record.extras.get('android.isGroupConversation') === 'true') continue;
    const title = record.extras.get('android.title');
    const text = record.extras.get('android.text');
    if (typeof title !== 'string' || typeof text !== 'string') continue;
    messages.push({
      notificationKey: record.key,
      from: phoneFromShortcut(record.shortcutId) ?? phoneFromTitle(title) ?? '',
      profileName: title,
      text,
      postedAtMs: record.postedAtMs,
    });
  }
  return messages;
}

/** WhatsApp names a chat's shortcut after its JID: `<digits>@s.whatsapp.net`. */
function phoneFromShortcut(shortcutId: string | undefined): string | undefined {
  return shortcutId === undefined ? undefined : /^(\d{5,15})@s\.whatsapp\.net$/.exec(shortcutId)?.[1];
}

/** A sender who is not a contact is titled by their number, formatted: `+7 916 123-45-67`. */
function phoneFromTitle(title: string): string | undefined {
  // Numbers come wrapped in direction marks so they read left to right in any language.
  const bare = title.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
  if (!/^\+?[\d\s()\u2011\u2012-]+$/.test(bare)) return undefined;
  const digits = bare.replace(/\D/g, '');
  return /^\d{5,15}$/.test(digits) ? digits : undefined;
}

/**
 * The records of an unredacted dump that a redacted dump taken alongside confirms. With
 * `--noredact` a message's text is printed as is, line breaks included, so a sender could
 * write lines that look like another notification; the redacted dump prints no texts, so
 * its records are the real ones. A key printed twice marks a forgery too: both copies go.
 */
export function confirmedRecords(
  unredacted: NotificationRecord[],
  redacted: NotificationRecord[],
): NotificationRecord[] {
  const real = new Set(redacted.map((record) => `${record.packageName}\n${record.key}`));
  const seen = new Map<string, number>();
  for (const record of unredacted) seen.set(record.key, (seen.get(record.key) ?? 0) + 1);
  return unredacted.filter(
    (record) => seen.get(record.key) === 1 && real.has(`${record.packageName}\n${record.key}`),
  );
}
