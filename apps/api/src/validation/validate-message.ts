import { type Reason, RequestErrorKey } from '@wagate/errors';
import { limits } from './limits.js';

/** A message that passed request-time validation, in the shape the services carry. */
export interface ValidMessage {
  sender: string;
  recipient: string;
  text: string;
  contentUrl?: string;
  contentName?: string;
  contentType?: string;
  callbackUrl?: string;
  callbackData?: string;
  templateId?: string;
  templateParams: Record<string, string>;
  languageCode?: string;
  validitySeconds: number;
}

export type Validation = { ok: true; message: ValidMessage } | { ok: false; reasons: Reason[]; description: string };

/**
 * Request-time checks of one message, each failure named by the contract's key and ref
 * (`messages[i].field`). All failures of a message are reported together.
 */
export function validateMessage(raw: unknown, index: number): Validation {
  const ref = (field?: string) => (field ? `messages[${index}].${field}` : `messages[${index}]`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail([{ key: RequestErrorKey.Invalid, ref: ref() }], 'each message must be a JSON object');
  }
  const m = raw as Record<string, unknown>;
  const reasons: Reason[] = [];
  const problems: string[] = [];
  const problem = (key: RequestErrorKey, field: string | undefined, text: string) => {
    reasons.push({ key, ref: ref(field) });
    problems.push(text);
  };

  const sender = optionalString(m.from);
  if (sender === undefined || sender?.trim() === '') problem(RequestErrorKey.MustBeNotNull, 'from', '`from` (the sender) is required');
  else if (sender === null || sender.length > limits.maxSenderLength) problem(RequestErrorKey.Invalid, 'from', '`from` must be a sender name or number');

  const recipient = normaliseRecipient(m.to);
  if (recipient.kind === 'missing') problem(RequestErrorKey.MustBeNotNull, 'to', '`to` (the recipient) is required');
  else if (recipient.kind === 'too-long') problem(RequestErrorKey.LengthTooLong, 'to', `\`to\` has more than ${limits.maxPhoneDigits} digits`);
  else if (recipient.kind === 'invalid') problem(RequestErrorKey.Invalid, 'to', '`to` must be a phone number in international format, e.g. 79034567890');

  const text = optionalString(m.text);
  const contentUrl = optionalString(m.contentUrl);
  const templateId = optionalString(m.templateId);
  if (text === null) problem(RequestErrorKey.Invalid, 'text', '`text` must be a string');
  else if (text !== undefined && [...text].length > limits.maxTextLength) {
    problem(RequestErrorKey.LengthTooLong, 'text', `\`text\` is longer than ${limits.maxTextLength} characters`);
  }
  if (!text && !contentUrl && !templateId) {
    problem(RequestErrorKey.MustBeNotNull, undefined, 'give `text`, `contentUrl` or `templateId`');
  }

  const callbackUrl = optionalString(m.callbackUrl);
  if (callbackUrl === null || (callbackUrl !== undefined && !isHttpUrl(callbackUrl))) {
    problem(RequestErrorKey.Invalid, 'callbackUrl', '`callbackUrl` must be an http(s) URL');
  }
  if (contentUrl === null || (contentUrl !== undefined && !isHttpUrl(contentUrl))) {
    problem(RequestErrorKey.Invalid, 'contentUrl', '`contentUrl` must be an http(s) URL');
  }
  const callbackData = optionalString(m.callbackData);
  if (callbackData === null || (callbackData !== undefined && callbackData.length > limits.maxCallbackDataLength)) {
    problem(RequestErrorKey.Invalid, 'callbackData', `\`callbackData\` must be a string of at most ${limits.maxCallbackDataLength} characters`);
  }
  const validity = m.validity;
  if (validity !== undefined && (!Number.isInteger(validity) || (validity as number) < 1 || (validity as number) > 86_400 * 30)) {
    problem(RequestErrorKey.Invalid, 'validity', '`validity` must be a whole number of seconds from 1 to 2592000');
  }

  if (reasons.length > 0) return fail(reasons, problems.join('; '));
  return {
    ok: true,
    message: {
      sender: sender!,
      recipient: (recipient as { digits: string }).digits,
      text: text ?? '',
      ...(contentUrl ? { contentUrl } : {}),
      ...stringField('contentName', m.contentName),
      ...stringField('contentType', m.contentType),
      ...(callbackUrl ? { callbackUrl } : {}),
      ...(typeof callbackData === 'string' ? { callbackData } : {}),
      ...(templateId ? { templateId } : {}),
      templateParams: stringRecord(m.templateParams),
      ...stringField('languageCode', m.languageCode),
      validitySeconds: (validity as number | undefined) ?? 0,
    },
  };
}

function fail(reasons: Reason[], description: string): Validation {
  return { ok: false, reasons, description };
}

/** undefined when absent or null; null when present but not a string. */
function optionalString(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : null;
}

function stringField<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value !== '' ? ({ [key]: value } as Record<K, string>) : {};
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

type Recipient = { kind: 'ok'; digits: string } | { kind: 'missing' } | { kind: 'too-long' } | { kind: 'invalid' };

/** Accepts `79034567890`, `+7 903 456-78-90`, `(7) 903…`; keeps digits only. */
function normaliseRecipient(value: unknown): Recipient {
  if (value === undefined || value === null || value === '') return { kind: 'missing' };
  if (typeof value !== 'string' && typeof value !== 'number') return { kind: 'invalid' };
  const raw = String(value).trim();
  if (!/^\+?[\d\s\-().]+$/.test(raw)) return { kind: 'invalid' };
  const digits = raw.replace(/\D/g, '');
  if (digits.length > limits.maxPhoneDigits) return { kind: 'too-long' };
  if (digits.length < limits.minPhoneDigits || digits.startsWith('0')) return { kind: 'invalid' };
  return { kind: 'ok', digits };
}

function isHttpUrl(value: string): boolean {
  if (value.length > limits.maxUrlLength) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
