/**
 * The request every target is measured with. Targets and the load generator import the same
 * definitions, so the bare-hono ceiling parses exactly the bytes the gateway has to parse.
 */

/** The Devino send call. */
export const SEND_PATH = '/whatsapp/messages';

/** Messages per request body: a single OTP-style send, and a typical batch. */
export const BODY_SIZES = [1, 100] as const;

/** A message the embedded gateway accepts as-is: its demo account owns the sender "MyCompany". */
const MESSAGE = { from: 'MyCompany', to: '79034567890', text: 'Code: 1234' };

/** The same OTP as an approved template (see bench-template.ts): rendered on every send. */
const templateMessage = (templateId: string) => ({
  from: 'MyCompany',
  to: '79034567890',
  templateId,
  templateParams: { '1': '1234' },
  languageCode: 'en',
});

/**
 * The JSON body with `count` identical messages (serialised once, reused for every request):
 * plain text, or the template `templateId` when one is given.
 */
export function sendBody(count: number, templateId?: string): string {
  const message = templateId ? templateMessage(templateId) : MESSAGE;
  return JSON.stringify({ messages: Array.from({ length: count }, () => message) });
}

export interface SendResponse {
  result: Array<{ code: string; messageId?: string }>;
}

/** Why `response` is not one `OK` result per message, or `undefined` when it is. */
export function checkAllAccepted(response: unknown, count: number): string | undefined {
  const result = (response as Partial<SendResponse> | null)?.result;
  if (!Array.isArray(result)) return 'response has no `result` array';
  if (result.length !== count) return `expected ${count} results, got ${result.length}`;
  const bad = result.findIndex((item) => item?.code !== 'OK' || typeof item.messageId !== 'string');
  return bad === -1 ? undefined : `result[${bad}] is not OK: ${JSON.stringify(result[bad])}`;
}
