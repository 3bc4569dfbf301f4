import type { MessageAcceptedEvent } from '@wagate/contracts';
import type { ResolvedSender, SenderDirectory } from '../../src/sender-directory.js';

let nextId = 9_000_000;

/** An accepted message as the api hands it to dispatch, with a fresh id; fields override. */
export function outboundMessage(
  fields: Partial<MessageAcceptedEvent> & { acceptedAt?: number } = {},
): MessageAcceptedEvent {
  const { acceptedAt, ...rest } = fields;
  const messageId = String(nextId++);
  return {
    messageId,
    accountId: 'acc_policy',
    sender: 'MyCompany',
    recipient: '79034567890',
    text: 'Code: 1234',
    templateParams: {},
    validitySeconds: 0,
    acceptedAtMs: String(acceptedAt ?? Date.now()),
    ...rest,
  };
}

/** Fleet's answer: only `MyCompany` is the account's, and its pool has `numbers`. */
export function senderDirectory(numbers: string[] = []): SenderDirectory {
  return {
    async available(_accountId, names) {
      return new Map(
        names.map((name): [string, ResolvedSender] => [
          name,
          { name, available: name === 'MyCompany', numbers, senderName: name === 'MyCompany' ? name : '' },
        ]),
      );
    },
  };
}
