import { type Bus, type Subscription, tracedHandler } from '@wagate/bus';
import {
  dispatch,
  fleet,
  type MessageInboundEvent,
  type MessageStatusEvent,
  Topics,
} from '@wagate/contracts';
import { createGroupCommit, type Database, migrateSchema, withSchema } from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import { traceHeaders } from '@wagate/telemetry';
import { grpcClient, type InternalPlaneSecurity, mount, type ServiceMount } from '@wagate/rpc';
import { DISPATCH_ACCESS } from './grpc/access.js';
import { type AcceptCall, acceptCalls } from './accept.js';
import { getBlocklist, setBlocklist } from './blocklists/index.js';
import { getConversationWindowPolicy, setConversationWindowPolicy } from './conversation-window/index.js';
import { dispatchMigrations } from './db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from './db/tables.js';
import { findMessages } from './find-messages.js';

import { getMessage } from './get-message.js';
import { listMessages } from './list-messages.js';
import { addOptOuts, listOptOuts, removeOptOut } from './opt-outs/index.js';
import { defaultRules, type PolicySettings, startForgettingOldCounts } from './policy/index.js';
import { recordInbound } from './record-inbound.js';
import { recordStatus } from './record-status.js';
import { requireAccount } from './require-account.js';
import { startRedrive } from './redrive.js';
import { createSenderDirectory } from './sender-directory.js';
import { type CallbackWorkerOptions, startCallbackWorker } from './webhooks/callback-worker.js';
import { observeDispatch } from './metrics.js';
import { listFailedCallbacks, listMessageCallbacks, replayCallback } from './webhooks/failed-callbacks.js';
import type { SecretKeyRing } from './webhooks/secret-keys.js';
import { sealWebhookSecretsAtRest, webhookSecrets } from './webhooks/webhook-secrets.js';
import { enableWebhookEndpoint, listWebhookEndpoints } from './webhooks/webhook-endpoints.js';
import { getWebhookSettings, setWebhookSettings } from './webhooks/webhook-settings.js';

/**
 * An accept group holds at most this many messages (ten full requests): one transaction's
 * statements stay far below PostgreSQL's 65 535 parameters (12 a message in the largest).
 */
const ACCEPT_GROUP_MAX_MESSAGES = 1_000;
/** Two groups in flight: while one waits for its commit to reach the disk, the next is written. */
const ACCEPT_GROUPS_IN_FLIGHT = 2;

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
  const senders = createSenderDirectory(
    grpcClient(fleet.FleetServiceDefinition, deps.fleetAddress, deps.internalPlane),
  );
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
  // Accept calls that arrive while others commit share the next transaction (`createGroupCommit` in @wagate/db).
  const acceptor = createGroupCommit<AcceptCall, dispatch.AcceptResponse>({
    async run(calls) {
      const { responses, failedAtOnce } = await acceptCalls(
        db,
        senders,
        calls,
        rules,
        deps.policy?.accountRate,
      );
      relay.kick();
      // Messages that failed at once (rendering, the window, a policy rule) have their callbacks queued.
      if (failedAtOnce > 0) callbacks.kick();
      return responses;
    },
    sizeOf: (call) => call.request.messages.length,
    maxSize: ACCEPT_GROUP_MAX_MESSAGES,
    concurrency: ACCEPT_GROUPS_IN_FLIGHT,
  });

  const implementation: dispatch.DispatchServiceImplementation = {
    accept: (request) => acceptor.submit({ request, traceHeaders: traceHeaders() }),
    getMessage: (request) => getMessage(db, request),
    findMessages: (request) => findMessages(db, request),
    listMessages: (request) => listMessages(db, request),
    getWebhookSettings: (request) => getWebhookSettings(db, request),
    getConversationWindowPolicy: async (request) => ({
      policy: await getConversationWindowPolicy(db, request),
    }),
    setConversationWindowPolicy: async (request) => ({
      policy: await setConversationWindowPolicy(db, request),
    }),
    setWebhookSettings: (request) => setWebhookSettings(db, request),
    listFailedCallbacks: (request) => listFailedCallbacks(db, request),
    listMessageCallbacks: (request) => listMessageCallbacks(db, request),
    getWebhookSecret: ({ accountId }) => secretResponse(accountId, secrets.current),
    rotateWebhookSecret: ({ accountId }) => secretResponse(accountId, (account) => secrets.rotate(account)),
    listWebhookEndpoints: (request) => listWebhookEndpoints(db, request),
    async enableWebhookEndpoint(request) {
      const response = await enableWebhookEndpoint(db, request);
      if (response.replayed > 0) callbacks.kick();
      return response;
    },
    getBlocklist: (request) => getBlocklist(db, request),
    setBlocklist: (request) => setBlocklist(db, request),
    listOptOuts: (request) => listOptOuts(db, request),
    addOptOuts: (request) => addOptOuts(db, request),
    removeOptOut: (request) => removeOptOut(db, request),
    async replayCallback(request) {
      const response = await replayCallback(db, request);
      callbacks.kick();
      return response;
    },
  };

  async function secretResponse(
    accountId: string,
    secretOf: (accountId: string) => Promise<string>,
  ): Promise<{ secret: dispatch.WebhookSecret }> {
    requireAccount(accountId);
    const secret = await secretOf(accountId);
    const previous = await secrets.previousExpiry(accountId);
    return { secret: { secret, previousExpiresAtMs: String(previous?.getTime() ?? 0) } };
  }

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
    grpc: mount(dispatch.DispatchServiceDefinition, implementation, DISPATCH_ACCESS),
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
