import { StatusErrorCode } from '@wagate/errors';
import { optedOut } from '../opt-outs/index.js';
import type { PolicyRule } from './policy-rule.js';

/** 2302: a message to a recipient on the account's opt-out list (they wrote a stop word, or the tenant added them). */
export const optOutRule: PolicyRule = {
  name: 'opt-out',
  errorCode: StatusErrorCode.SpamRecipient,
  async refuse(messages, { trx, accountId }) {
    const opted = await optedOut(
      trx,
      accountId,
      messages.map((message) => message.recipient),
    );
    if (opted.size === 0) return [];
    return messages.flatMap((message) => {
      const optOut = opted.get(message.recipient);
      if (!optOut) return [];
      const how = optOut.keyword ? `by replying "${optOut.keyword}"` : 'through the api';
      return [
        {
          messageId: message.messageId,
          reason: `${message.recipient} opted out of this account's messages ${how} on ${optOut.createdAt.toISOString()}`,
        },
      ];
    });
  },
};
