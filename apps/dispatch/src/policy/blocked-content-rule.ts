import { StatusErrorCode } from '@wagate/errors';
import { blocklistsFor } from '../blocklists/index.js';
import type { PolicyRule } from './policy-rule.js';

/**
 * 2017: a message whose text (rendered, for a template) or media URL contains a word or a
 * URL domain on the blocklist of its account or of any account above it — the platform's,
 * its reseller's. The reason names the entry, and whose list it is only as "this account's"
 * or "an account above this one", so a customer learns nothing of its reseller's ids.
 */
export const blockedContentRule: PolicyRule = {
  name: 'blocked-content',
  errorCode: StatusErrorCode.SpamContent,
  async refuse(messages, { trx, accountId, ancestorAccountIds }) {
    const lists = await blocklistsFor(trx, [...ancestorAccountIds, accountId]);
    if (lists.length === 0) return [];
    return messages.flatMap((message) => {
      const content = [message.text, message.contentUrl ?? ''].join('\n');
      for (const { ownerId, matcher } of lists) {
        const found = matcher.find(content);
        if (!found) continue;
        const whose =
          ownerId === accountId ? "this account's blocklist" : 'the blocklist of an account above this one';
        return [
          {
            messageId: message.messageId,
            reason: `contains the blocked ${found.kind} "${found.entry}" (${whose})`,
          },
        ];
      }
      return [];
    });
  },
};
