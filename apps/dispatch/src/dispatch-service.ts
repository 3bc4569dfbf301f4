import { type Bus, type Subscription, tracedHandler } from '@wagate/bus';
import { type MessageInboundEvent, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import type { InternalPlaneSecurity, ServiceMount } from '@wagate/rpc';
import { mountDispatchGrpc } from './grpc/dispatch-handlers.js';
import { dispatchMigrations } from './db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from './db/tables.js';
import { defaultRules, type PolicySettings, startForgettingOldCounts } from './policy/index.js';
import { recordInbound } from './record-inbound.js';
import { recordStatus } from './record-status.js';
import { startRedrive } from './redrive.js';
import { createSenderDirectory } from './sender-directory.js';
import { fleetSenderResolver } from './grpc/fleet-client.js';
import { type CallbackWorkerOptions, startCallbackWorker } from './webhooks/callback-worker.js';
import { observeDispatch } from './metrics.js';
import type { SecretKeyRing } from './webhooks/secret-keys.js';
import { sealWebhookSecretsAtRest, webhookSecrets } from './webhooks/webhook-secrets.js';

export interface DispatchService {
  grpc: ServiceMount;
  stop(): Promise<void>;
}

/** Creates or updates the dispatch service's tables (also the migration Job's migrate-only mode). */
export function migrateDispatchSchema(database: Database): Promise<void> {
  return migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
}

export async function startDispatch(deps: {
  database: Database;
  bus: Bus;
  fleetAddress: string;
  /** This process's internal-plane security (its certificate), for calls to fleet. */
  internalPlane: InternalPlaneSecurity;
  redrive?: { staleMs?: number };
  /** Which callback URLs may be called (loopback/private are refused by default) and worker tuning. */
  callbacks?: Omit<CallbackWorkerOptions, 'secrets'>;
  /** The key-encryption keys sealing webhook signing secrets at rest (readSecretKeys / embeddedSecretKeys). */
  secretKeys: SecretKeyRing;
  /** Dispatch-policy settings (duplicate window, …); see policy/default-rules.ts. */
  policy?: PolicySettings;
}): Promise<DispatchService> {
  await migrateDispatchSchema(deps.database);
  const db = withSchema<DispatchTables>(deps.database, DISPATCH_SCHEMA);
  await sealWebhookSecretsAtRest(db, deps.secretKeys);
  const secrets = webhookSecrets(db, deps.secretKeys);
  const senders = createSenderDirectory(fleetSenderResolver(deps.fleetAddress, deps.internalPlane));
  const relay = startOutboxRelay({ db, bus: deps.bus, name: 'dispatch' });
  const callbacks = startCallbackWorker(db, {
    onEventsQueued: () => relay.kick(),
    ...deps.callbacks,
    secrets,
  });
  const stopObserving = observeDispatch(db);
  const redrive = startRedrive(db, () => relay.kick(), {
    ...deps.redrive,
    onExpired() {
      relay.kick();
      callbacks.kick();
    },
  });
  const rules = defaultRules(deps.policy);
  const forgetting = startForgettingOldCounts(db, deps.policy ?? {});

  const inboundSubscription: Subscription = await deps.bus.consume<MessageInboundEvent>({
    topic: Topics.messageInbound,
    group: 'dispatch',
    handler: tracedHandler(
      'dispatch.record-inbound',
      (delivery) => ({ 'wagate.device_id': delivery.data.deviceId }),
      async (event) => {
        if (await recordInbound(db, event)) callbacks.kick();
      },
    ),
  });

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
    grpc: mountDispatchGrpc({
      db,
      senders,
      rules,
      policy: deps.policy,
      secrets,
      kickRelay: () => relay.kick(),
      kickCallbacks: () => callbacks.kick(),
    }),
    async stop() {
      stopObserving();
      await statusSubscription.close();
      await inboundSubscription.close();
      await redrive.stop();
      await forgetting.stop();
      await relay.stop();
      await callbacks.stop();
    },
  };
}
