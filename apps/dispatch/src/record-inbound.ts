import type { MessageInboundEvent } from '@wagate/contracts';
import type { Kysely } from 'kysely';
import { openConversationWindow } from './conversation-window/index.js';
import type { DispatchTables } from './db/tables.js';
import { applyOptOutReply } from './opt-outs/index.js';
import { queueCallbacks } from './webhooks/queue-callbacks.js';

/**
 * Records a message a device received, opens or extends its conversation window, applies a
 * stop (or start) word to the account's opt-out list, and queues
 * its incoming-message webhook to the account's incoming URL, in one transaction. A repeated
 * report of the same device message
 * finds it recorded and changes nothing, so the tenant hears of it once. Returns whether a
 * webhook was queued.
 */
export async function recordInbound(
  db: Kysely<DispatchTables>,
  event: MessageInboundEvent,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('inbound_messages')
      .values({
        account_id: event.accountId,
        device_id: event.deviceId,
        device_message_key: event.deviceMessageKey,
        to: event.to,
        from: event.from,
        text: event.text,
        profile_name: event.profileName,
        content: event.content ? JSON.stringify(event.content) : null,
        received_at: new Date(event.atMs),
      })
      .onConflict((conflict) => conflict.columns(['device_id', 'device_message_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return false;
    await openConversationWindow(trx, event);
    await applyOptOutReply(trx, event);
    const settings = await trx
      .selectFrom('account_settings')
      .select('incoming_url')
      .where('account_id', '=', event.accountId)
      .executeTakeFirst();
    if (!settings?.incoming_url) return false;
    await queueCallbacks(trx, [
      {
        accountId: event.accountId,
        // Orders deliveries per inbound message; inbound ids never meet outbound ones in practice
        // (a sequence from 1 against 64-bit time-based ids).
        messageId: inserted.id,
        url: settings.incoming_url,
        body: incomingWebhookBody(inserted.id, event),
      },
    ]);
    return true;
  });
}

/**
 * The contract's incoming-message body: one JSON object. `incomingMessageId` is a JSON number
 * (the contract's `long`), written with every digit.
 */
export function incomingWebhookBody(incomingMessageId: string, event: MessageInboundEvent): string {
  const { media, location, contacts } = event.content ?? {};
  const rest = JSON.stringify({
    to: event.to,
    from: event.from,
    ts: event.atMs,
    text: event.text,
    contentUrl: media?.url ?? null,
    contentType: media?.contentType ?? null,
    contentName: media?.name || null,
    profileName: event.profileName,
    // The contract's own spelling, `addressurl` included; present only when the message has them.
    ...(location && {
      whatsAppGeoLocation: {
        latitude: location.latitude,
        longitude: location.longitude,
        address: location.address,
        addressName: location.addressName,
        addressurl: location.addressUrl,
      },
    }),
    ...(contacts && { whatsAppContacts: contacts }),
  });
  return `{"incomingMessageId":${BigInt(incomingMessageId).toString()},${rest.slice(1)}`;
}
