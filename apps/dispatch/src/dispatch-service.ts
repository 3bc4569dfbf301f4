import { type Bus, type Subscription, tracedHandler } from '@wagate/bus';
import { dispatch, fleet, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import { grpcClient, mount, type ServiceMount } from '@wagate/rpc';
import { acceptMessages } from './accept.js';
import { dispatchMigrations } from './db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from './db/tables.js';
import { getMessage } from './get-message.js';
import { listMessages } from './list-messages.js';
import { recordStatus } from './record-status.js';
import { startRedrive } from './redrive.js';
import { createSenderDirectory } from './sender-directory.js';
import { startCallbackWorker } from './webhooks/callback-worker.js';
import { getWebhookSettings, setWebhookSettings } from './webhooks/webhook-settings.js';

export interface DispatchService {
  grpc: ServiceMount;
  stop(): Promise<void>;
}

export async function startDispatch(deps: {
  database: Database;
  bus: Bus;
  fleetAddress: string;
  redrive?: { staleMs?: number };
}): Promise<DispatchService> {
  await migrateSchema(deps.database, DISPATCH_SCHEMA, dispatchMigrations);
  const db = withSchema<DispatchTables>(deps.database, DISPATCH_SCHEMA);
  const senders = createSenderDirectory(grpcClient(fleet.FleetServiceDefinition, deps.fleetAddress));
  const relay = startOutboxRelay({ db, bus: deps.bus, name: 'dispatch' });
  const callbacks = startCallbackWorker(db);
  const redrive = startRedrive(db, () => relay.kick(), deps.redrive);

  const implementation: dispatch.DispatchServiceImplementation = {
    async accept(request) {
      const response = await acceptMessages(db, senders, request);
      relay.kick();
      return response;
    },
    getMessage: (request) => getMessage(db, request),
    listMessages: (request) => listMessages(db, request),
    getWebhookSettings: (request) => getWebhookSettings(db, request),
    setWebhookSettings: (request) => setWebhookSettings(db, request),
  };

  const statusSubscription: Subscription = await deps.bus.consume<MessageStatusEvent>({
    topic: Topics.messageStatus,
    group: 'dispatch',
    handler: tracedHandler(
      'dispatch.record-status',
      (delivery) => ({ 'wagate.message_id': delivery.data.messageId, 'wagate.status': delivery.data.status }),
      async (event) => {
        if (await recordStatus(db, event)) callbacks.kick();
      },
    ),
  });

  return {
    grpc: mount(dispatch.DispatchServiceDefinition, implementation),
    async stop() {
      await statusSubscription.close();
      await redrive.stop();
      await relay.stop();
      await callbacks.stop();
    },
  };
}
