import { z } from '@hono/zod-openapi';
import { checkOutboundUrl, type OutboundUrlOptions } from '@wagate/config';
import { ErrorKey } from '@wagate/errors';
import { DevinoMessageSchema } from '../schemas/devino-message.js';
import { issuesToReasons, type Rejected } from './issues-to-reasons.js';
import { isHttpUrl } from './strings.js';

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

export type Validation = { ok: true; message: ValidMessage } | ({ ok: false } & Rejected);

/**
 * Request-time checks of one message with `DevinoMessageSchema`; every failure is named by the
 * contract's key and ref (`messages[i].field`), all failures of a message together.
 */
/**
 * Which networks a message's URLs may point at besides the public internet (SSRF guard), each
 * kind by its own settings: callbacks (WAGATE_ALLOW_*_WEBHOOKS) and media (WAGATE_ALLOW_*_MEDIA).
 */
export interface OutboundUrlRules {
  callbacks?: OutboundUrlOptions;
  media?: OutboundUrlOptions;
}

export function validateMessage(raw: unknown, index: number, urls: OutboundUrlRules = {}): Validation {
  const parsed = z.safeParse(DevinoMessageSchema, raw, { reportInput: true });
  const refused = refusedUrls(raw, index, urls);
  if (!parsed.success) {
    const rejected = issuesToReasons(parsed.error.issues, index);
    return { ok: false, ...merge(rejected, refused) };
  }
  if (refused.reasons.length > 0) return { ok: false, ...refused };
  const m = parsed.data;
  return {
    ok: true,
    message: {
      sender: m.from,
      recipient: m.to,
      text: m.text ?? '',
      ...given('contentUrl', m.contentUrl),
      ...given('contentName', m.contentName),
      ...given('contentType', m.contentType),
      ...given('callbackUrl', m.callbackUrl),
      ...given('callbackData', m.callbackData),
      ...given('templateId', m.templateId),
      templateParams: m.templateParams ?? {},
      ...given('languageCode', m.languageCode),
      validitySeconds: m.validity ?? 0,
    },
  };
}

/** Each URL field of a message, with the rules that govern it. */
const URL_FIELDS = [
  ['contentUrl', 'media'],
  ['callbackUrl', 'callbacks'],
] as const;

/**
 * The SSRF rule at request time, on the URLs as written (no DNS per message; dispatch checks
 * resolved addresses before every delivery): no loopback, private, link-local or metadata
 * address, unless the deployment allows loopback/private. Only well-formed URLs are checked
 * here; the schema names the others.
 */
function refusedUrls(raw: unknown, index: number, urls: OutboundUrlRules): Rejected {
  const rejected: Rejected = { reasons: [], description: '' };
  if (typeof raw !== 'object' || raw === null) return rejected;
  const descriptions: string[] = [];
  for (const [field, kind] of URL_FIELDS) {
    const value = (raw as Record<string, unknown>)[field];
    if (typeof value !== 'string' || !isHttpUrl(value)) continue;
    const check = checkOutboundUrl(value, urls[kind]);
    if (check.ok) continue;
    rejected.reasons.push({ key: ErrorKey.Invalid, ref: `messages[${index}].${field}` });
    descriptions.push(
      `\`${field}\` must be a public address: ${check.reason} is not reachable from wagate (loopback, private, link-local and metadata addresses are refused)`,
    );
  }
  rejected.description = descriptions.join('; ');
  return rejected;
}

function merge(first: Rejected, second: Rejected): Rejected {
  if (second.reasons.length === 0) return first;
  const reasons = [...first.reasons];
  for (const reason of second.reasons) {
    if (!reasons.some((r) => r.key === reason.key && r.ref === reason.ref)) reasons.push(reason);
  }
  return { reasons, description: [first.description, second.description].filter(Boolean).join('; ') };
}

function given<K extends string>(key: K, value: string | null | undefined): Partial<Record<K, string>> {
  return value === undefined || value === null ? {} : ({ [key]: value } as Record<K, string>);
}
