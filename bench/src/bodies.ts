/**
 * The request every target is measured with. Targets and the load generator import the same
 * definitions, so the bare-hono ceiling parses exactly the bytes the gateway has to parse.
 */

/** The Devino send call. */
export const SEND_PATH = '/whatsapp/messages';

/** Messages per request body: a single OTP-style send, and a typical batch. */
export const BODY_SIZES = [1, 100] as const;

/**
 * An OTP the embedded gateway accepts as-is (its demo account owns the sender "MyCompany"):
 * plain text, or the approved template `templateId` (see bench-template.ts), rendered on every
 * send. Every message has its own code, as real OTPs do: dispatch refuses the same message
 * again within minutes as a duplicate (2009), which is not the path to measure.
 */
const message = (code: string, templateId?: string, to = '79034567890') =>
  templateId
    ? { from: 'MyCompany', to, templateId, templateParams: { '1': code }, languageCode: 'en' }
    : { from: 'MyCompany', to, text: `Code: ${code}` };

/**
 * The JSON body of request number `request`, with `count` messages no other request repeats.
 * With `recipientPerMessage` each message goes to a number of its own (same length), so the
 * messages spread over the sender's devices instead of sticking to the one device of one recipient.
 */
export function sendBody(
  count: number,
  templateId?: string,
  request = 0,
  recipientPerMessage = false,
): string {
  const messages = Array.from({ length: count }, (_, i) =>
    message(
      `${request}-${i}`,
      templateId,
      recipientPerMessage ? `7903${String((request * count + i) % 10_000_000).padStart(7, '0')}` : undefined,
    ),
  );
  return JSON.stringify({ messages });
}

/** Numbers requests across a whole run (and its verification requests), so no body repeats. */
let requestsMade = 0;
export function nextRequestNumber(): number {
  return requestsMade++;
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
