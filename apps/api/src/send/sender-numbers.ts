import type { common } from '@wagate/contracts';
import type { Peers } from '../peers.js';
import { normalisePhoneNumber } from '../validation/phone-number.js';

/**
 * The contract lets `from` be the sender's name or one of its numbers. A `from` that reads as a
 * phone number in any form the `to` field takes (`79990000001`, `+7 999 000-00-01`,
 * `89990000001`) and is not itself a sender's name is replaced by the name of the sender that
 * has that number, so billing, dispatch and fleet see the sender as if it had been named (the
 * message goes out from the sender's devices, like any message of that sender). One fleet call
 * for the batch, and none when no `from` looks like a number. A number no sender has is left as
 * written: dispatch then rejects it as `not.available`, like an unknown name.
 */
export async function resolveSenderNumbers(
  fleet: Peers['fleet'],
  accountId: string,
  messages: readonly common.OutboundMessage[],
): Promise<void> {
  const numbered = messages.flatMap((message) => {
    const number = normalisePhoneNumber(message.sender);
    return number.kind === 'ok' ? [{ message, digits: number.digits }] : [];
  });
  if (numbered.length === 0) return;
  const entries = [...new Set(numbered.flatMap(({ message, digits }) => [message.sender, digits]))];
  const { senders } = await fleet.resolveSenders({ accountId, senders: entries });
  const resolved = new Map(senders.filter((s) => s.available).map((s) => [s.name, s.senderName]));
  for (const { message, digits } of numbered) {
    const name = resolved.get(message.sender) ?? resolved.get(digits);
    if (name) message.sender = name;
  }
}
