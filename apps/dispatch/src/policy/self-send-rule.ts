import { StatusErrorCode } from '@wagate/errors';
import type { PolicyRule } from './policy-rule.js';

/** 2307: a message to one of the sender's own numbers would only talk to itself. */
export const selfSendRule: PolicyRule = {
  name: 'self-send',
  errorCode: StatusErrorCode.SelfSend,
  async refuse(messages, { senders }) {
    return messages.flatMap((message) =>
      senders.get(message.sender)?.numbers.includes(message.recipient)
        ? [
            {
              messageId: message.messageId,
              reason: `${message.recipient} is a number of sender "${message.sender}"`,
            },
          ]
        : [],
    );
  },
};
