import { z } from '@hono/zod-openapi';
import { DevinoMessageSchema } from '../schemas/devino-message.js';
import { issuesToReasons, type Rejected } from './issues-to-reasons.js';

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
export function validateMessage(raw: unknown, index: number): Validation {
  const parsed = z.safeParse(DevinoMessageSchema, raw, { reportInput: true });
  if (!parsed.success) return { ok: false, ...issuesToReasons(parsed.error.issues, index) };
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

function given<K extends string>(key: K, value: string | null | undefined): Partial<Record<K, string>> {
  return value === undefined || value === null ? {} : ({ [key]: value } as Record<K, string>);
}
