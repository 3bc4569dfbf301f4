import type { UiDump, UiNode } from './ui-dump.js';
import { findById } from './ui-dump.js';

/** What a UI dump shows, as far as sending is concerned. */
export type Screen =
  /** A chat: its input (`entry`) and, while the input holds text, its send button. */
  | { kind: 'chat'; entry: UiNode; send: UiNode | undefined; dump: UiDump }
  /** The preview of a file shared to WhatsApp: its caption field and send button. */
  | { kind: 'media-preview'; caption: UiNode | undefined; send: UiNode }
  /** WhatsApp asking which chat a shared file goes to (it did not take the preselected one). */
  | { kind: 'share-picker' }
  /** WhatsApp's dialog for a link to a number without WhatsApp. */
  | { kind: 'not-on-whatsapp'; message: string }
  /** Registration, a ban or a forced update: this phone cannot send at all. */
  | { kind: 'logged-out' | 'banned' | 'update-required'; message: string }
  /** Some other WhatsApp screen, e.g. the chat list. */
  | { kind: 'whatsapp' }
  /** Not WhatsApp: the launcher, a system dialog, another app. */
  | { kind: 'elsewhere' };

/**
 * Texts that identify WhatsApp's screens, matched against the text and content description
 * of WhatsApp's own views outside lists (never the messages of a chat). WhatsApp shows them in the phone's
 * language, so each screen has patterns in several; add the phone's language if it is missing.
 */
export interface ScreenPatterns {
  notOnWhatsApp: RegExp[];
  loggedOut: RegExp[];
  banned: RegExp[];
  updateRequired: RegExp[];
  /** Resource ids (without the package prefix) found only on the registration screens. */
  registrationIds: string[];
}

export const defaultScreenPatterns: ScreenPatterns = {
  notOnWhatsApp: [
    /\bisn[’']t on WhatsApp/i,
    /\bis not on WhatsApp/i,
    /shared via url is invalid/i,
    /не пользуется WhatsApp/i,
    /нет в WhatsApp/i,
    /отправленный по ссылке,? недействителен/i,
    /no está en WhatsApp/i,
    /não está no WhatsApp/i,
    /ist nicht bei WhatsApp/i,
  ],
  loggedOut: [
    /verify your phone number/i,
    /enter your phone number/i,
    /agree and continue/i,
    /подтвердите (свой )?номер телефона/i,
    /введите (свой )?номер телефона/i,
    /принять и продолжить/i,
  ],
  banned: [
    /banned from using WhatsApp/i,
    /not allowed to use WhatsApp/i,
    /(номер|аккаунт)[^.]{0,40} заблокирован/i,
    /не (может|разрешено) использовать WhatsApp/i,
  ],
  updateRequired: [
    /version of WhatsApp (has expired|became out of date|is out of date)/i,
    /эта версия WhatsApp (устарела|больше не поддерживается)/i,
  ],
  registrationIds: [
    'eula_accept',
    'registration_phone',
    'registration_cc',
    'registration_submit',
    'verify_sms_code_input',
  ],
};

/**
 * Tells WhatsApp's screens apart. A chat's input wins over everything: `uiautomator dump`
 * shows only the window in front, so a visible input means no dialog covers it, and a
 * chat's own messages (which may say anything) are never read as a dialog.
 */
export function classifyScreen(
  dump: UiDump,
  whatsappPackage: string,
  patterns: ScreenPatterns = defaultScreenPatterns,
): Screen {
  const id = (name: string) => `${whatsappPackage}:id/${name}`;
  const entry = findById(dump, id('entry'));
  if (entry) return { kind: 'chat', entry, send: findById(dump, id('send')), dump };
  // The media composer has no chat input; its caption field tells it from other screens with a send button.
  const caption = findById(dump, id('caption'));
  const send = findById(dump, id('send'));
  if (caption && send) return { kind: 'media-preview', caption, send };
  if (findById(dump, id('contactpicker_row_name'))) return { kind: 'share-picker' };

  const own = dump.filter((node) => node.packageName === whatsappPackage);
  if (own.length === 0) return { kind: 'elsewhere' };
  const words = own
    .filter((node) => !inList(node))
    .flatMap((node) => [node.text, node.contentDesc])
    .filter((text) => text !== '');
  const said = (list: RegExp[]) => words.find((text) => list.some((pattern) => pattern.test(text)));

  const banned = said(patterns.banned);
  if (banned !== undefined) return { kind: 'banned', message: banned };
  const update = said(patterns.updateRequired);
  if (update !== undefined) return { kind: 'update-required', message: update };
  const registration = patterns.registrationIds.some((name) => findById(own, id(name)));
  const loggedOut = said(patterns.loggedOut);
  if (registration || loggedOut !== undefined) {
    return { kind: 'logged-out', message: loggedOut ?? 'WhatsApp shows its registration screen' };
  }
  const notOnWhatsApp = said(patterns.notOnWhatsApp);
  if (notOnWhatsApp !== undefined) return { kind: 'not-on-whatsapp', message: notOnWhatsApp };
  return { kind: 'whatsapp' };
}

/**
 * Text inside a list is content: chat bubbles, the chat list's previews of last messages.
 * Someone writing "isn't on WhatsApp" must not read as WhatsApp's dialog saying so.
 */
function inList(node: UiNode): boolean {
  for (let up = node.parent; up; up = up.parent) {
    if (/\b(ListView|RecyclerView)$/.test(up.className)) return true;
  }
  return false;
}

/** Patterns with some replaced, e.g. from configuration. */
export function screenPatterns(overrides: Partial<ScreenPatterns> = {}): ScreenPatterns {
  return { ...defaultScreenPatterns, ...overrides };
}

export type LockedOut = Extract<Screen, { kind: 'logged-out' | 'banned' | 'update-required' }>;

/** A screen that means this phone cannot send anything until a person steps in. */
export function isLockedOut(screen: Screen): screen is LockedOut {
  return screen.kind === 'logged-out' || screen.kind === 'banned' || screen.kind === 'update-required';
}
