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
 * send. Every message has its own code and its own recipient, as real OTPs do: dispatch
 * refuses the same message again within minutes as a duplicate (2009), which is not the path
 * to measure, and a gateway keeps one recipient's messages in order (fleet takes them one after
 * another, on the recipient's device), which a run that sent everything to one number would
 * measure instead of the accept path.
 */
const message = (code: string, to: string, templateId?: string) =>
  templateId
    ? { from: 'MyCompany', to, templateId, templateParams: { '1': code }, languageCode: 'en' }
    : { from: 'MyCompany', to, text: `Code: ${code}` };

/** The JSON body of request number `request`, with `count` messages no other request repeats. */
export function sendBody(count: number, templateId?: string, request = 0): string {
  const messages = Array.from({ length: count }, (_, i) =>
    message(
      `${request}-${i}`,
      `7903${String((request * count + i) % 10_000_000).padStart(7, '0')}`,
      templateId,
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
