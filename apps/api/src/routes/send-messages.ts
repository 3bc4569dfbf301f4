import type { common } from '@wagate/contracts';
import { type Reason, RequestError, RequestErrorKey } from '@wagate/errors';
import type { IdGenerator } from '@wagate/ids';
import type { Hono } from 'hono';
import type { Principal } from '../http/auth.js';
import { requireScope } from '../http/auth.js';
import { readJsonObject } from '../http/read-json.js';
import type { Peers } from '../peers.js';
import { limits } from '../validation/limits.js';
import { validateMessage } from '../validation/validate-message.js';

type SendResult =
  | { code: 'OK'; messageId: string }
  | { code: 'REJECTED'; reasons: Reason[]; description: string };

/**
 * `POST /whatsapp/messages` — Devino's send call. Each message gets its own result, in
 * request order; valid messages are sent even when others in the batch are rejected. One
 * gRPC call per concern (billing, templates, dispatch) for the whole batch.
 */
export function registerSendMessages(
  app: Hono<{ Variables: { principal: Principal } }>,
  deps: { peers: Peers; ids: IdGenerator },
): void {
  app.post('/whatsapp/messages', async (c) => {
    const principal = c.get('principal');
    requireScope(principal, 'send');
    const body = await readJsonObject(c);
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      throw RequestError.of(400, RequestErrorKey.MustBeNotNull, '`messages` must be a non-empty array', 'messages');
    }
    if (messages.length > limits.maxMessagesPerRequest) {
      throw RequestError.of(
        400,
        RequestErrorKey.TooManyMessages,
        `at most ${limits.maxMessagesPerRequest} messages per request`,
        'messages',
      );
    }

    const acceptedAtMs = String(Date.now());
    const results: SendResult[] = [];
    const candidates: Array<{ index: number; message: common.OutboundMessage }> = [];
    messages.forEach((raw, index) => {
      const validation = validateMessage(raw, index);
      if (!validation.ok) {
        results[index] = { code: 'REJECTED', reasons: validation.reasons, description: validation.description };
        return;
      }
      candidates.push({
        index,
        message: { ...validation.message, messageId: deps.ids.next(), accountId: principal.accountId, acceptedAtMs },
      });
    });

    const reject = (index: number, key: RequestErrorKey, field: string, description: string) => {
      results[index] = { code: 'REJECTED', reasons: [{ key, ref: field ? `messages[${index}].${field}` : `messages[${index}]` }], description };
    };

    let pending = candidates;
    if (pending.length > 0) {
      const { results: reserved } = await deps.peers.billing.reserve({
        accountId: principal.accountId,
        items: pending.map(({ message }) => ({
          messageId: message.messageId,
          recipient: message.recipient,
          kind: message.templateId ? 'template' : message.contentUrl ? 'media' : 'text',
        })),
      });
      pending = pending.filter((candidate, i) => {
        const outcome = reserved[i];
        if (outcome?.reserved) return true;
        results[candidate.index] = {
          code: 'REJECTED',
          reasons: [{ key: RequestErrorKey.BillingError }],
          description: outcome?.description || 'payment is required',
        };
        return false;
      });
    }

    const templated = pending.filter(({ message }) => message.templateId);
    if (templated.length > 0) {
      const { results: rendered } = await deps.peers.templates.render({
        accountId: principal.accountId,
        items: templated.map(({ message }) => ({
          messageId: message.messageId,
          templateId: message.templateId!,
          params: message.templateParams,
          languageCode: message.languageCode ?? 'en',
        })),
      });
      const failed = new Set<number>();
      templated.forEach((candidate, i) => {
        const outcome = rendered[i];
        if (outcome && outcome.errorCode === 0) candidate.message.text = outcome.text;
        else {
          // Template failures become callback codes (2308–2311) with the templates issue.
          reject(candidate.index, RequestErrorKey.Invalid, 'templateId', outcome?.description || 'template not found');
          failed.add(candidate.index);
        }
      });
      pending = pending.filter((candidate) => !failed.has(candidate.index));
    }

    if (pending.length > 0) {
      const { results: accepted } = await deps.peers.dispatch.accept({
        accountId: principal.accountId,
        messages: pending.map(({ message }) => message),
      });
      pending.forEach((candidate, i) => {
        const outcome = accepted[i];
        if (outcome?.accepted) results[candidate.index] = { code: 'OK', messageId: candidate.message.messageId };
        else reject(candidate.index, (outcome?.rejection?.key as RequestErrorKey) ?? RequestErrorKey.Unknown, outcome?.rejection?.ref ?? '', outcome?.rejection?.description ?? 'not accepted');
      });
    }
    return c.json({ result: results });
  });
}
