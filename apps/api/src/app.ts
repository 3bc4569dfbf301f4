import { OpenAPIHono } from '@hono/zod-openapi';
import type { Database } from '@wagate/db';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { IdGenerator } from '@wagate/ids';
import { type ApiEnv, type CachedKeyResolver, requireApiKey } from './http/auth.js';
import { errorResponse, handleError } from './http/error-response.js';
import { createIdempotencyGate } from './http/idempotency-gate.js';
import { rejectNulCharacters } from './http/reject-nul.js';
import { billingKeyCache } from './http/key-cache.js';
import { accessLog } from './http/access-log.js';
import { limitBody } from './http/body-limit.js';
import { traceRequests } from './http/tracing.js';
import { validationHook } from './http/validation-hook.js';
import type { Peers } from './peers.js';
import { registerConsole } from './routes/console_static.js';
import { registerDocsPage } from './routes/docs_page.js';
import { cachedAncestors } from './send/account-ancestors.js';
import { registerOpenApiDocument } from './routes/docs_openapi.js';
import { registerHealth } from './routes/system_health.js';
import type { ApiApp, RouteDeps } from './routes/types.js';
import { registerAccounts } from './routes/v1_accounts.js';
import { registerAccountMoney } from './routes/v1_accounts_money.js';
import { registerGetBalance } from './routes/v1_balance_get.js';
import { registerKeys } from './routes/v1_keys.js';
import { registerSessions } from './routes/v1_session.js';
import { createSessionStore, DEFAULT_SESSION_TTL_MS } from './sessions/store.js';
import { registerListMessageCallbacks } from './routes/v1_messages_callbacks.js';
import { registerGetMessage } from './routes/v1_messages_get.js';
import { registerListMessages } from './routes/v1_messages_list.js';
import { registerDevices } from './routes/v1_devices.js';
import { registerFleetHealth } from './routes/v1_fleet_health.js';
import { registerDeviceManagement } from './routes/v1_devices_manage.js';
import { registerGetDeviceCommand } from './routes/v1_device_commands_get.js';
import { registerGetScreenshot } from './routes/v1_device_commands_screenshot.js';
import { registerRestartDevice } from './routes/v1_devices_restart.js';
import { registerRestoreDevice } from './routes/v1_devices_restore.js';
import { registerScreenshotDevice } from './routes/v1_devices_screenshot.js';
import { registerListAgents } from './routes/v1_agents_list.js';
import { registerCreateRollout } from './routes/v1_rollouts_create.js';
import type { OutboundUrlRules } from './validation/validate-message.js';
import { registerGetRollout } from './routes/v1_rollouts_get.js';
import { registerEnrolmentTokens } from './routes/v1_enrolment_tokens.js';
import { registerListSenders } from './routes/v1_senders_list.js';
import { registerFailedCallbacks } from './routes/v1_webhooks_failed.js';
import { registerGetIncomingWebhook } from './routes/v1_webhooks_incoming_get.js';
import { registerWebhookSecret } from './routes/v1_webhooks_secret.js';
import { registerWebhookEndpoints } from './routes/v1_webhooks_endpoints.js';
import { registerPutIncomingWebhook } from './routes/v1_webhooks_incoming_put.js';
import { registerGetUsage } from './routes/v1_usage_get.js';
import { registerSendMessages } from './routes/whatsapp_sendMessages.js';
import { registerConversationWindowPolicy } from './routes/v1_conversation_window.js';
import { registerOptOuts } from './routes/v1_opt_outs.js';
import { registerBlocklist } from './routes/v1_policy_blocklist.js';
import { registerTemplateApproval } from './routes/v1_templates_approval.js';
import { registerCreateTemplate } from './routes/v1_templates_create.js';
import { registerPreviewTemplate } from './routes/v1_templates_preview.js';
import { registerReadTemplates } from './routes/v1_templates_read.js';
import { registerChangeTemplate } from './routes/v1_templates_update.js';
import { coalescedSendCalls } from './send/coalesced-calls.js';
import { limits } from './validation/limits.js';

export interface ApiDeps {
  peers: Peers;
  ids: IdGenerator;
  /** The api's own tables (idempotency keys, schema `api`); migrated before first use. */
  database: Database;
  /** Which callback and media URLs may point at loopback or private networks (default: neither; SSRF guard). */
  outboundUrls?: OutboundUrlRules;
  /** The key cache, when the caller keeps it fresh from billing's events (see invalidateOnAccessChanges). */
  keys?: CachedKeyResolver;
  /** Console sessions: Secure cookies unless `secureCookie: false` (the local demo on plain http). */
  sessions?: { ttlMs?: number; secureCookie?: boolean };
  /** The built console served at /console/ (WAGATE_CONSOLE_DIR; default apps/console/dist). */
  consoleDir?: string;
}

export type { ApiApp };

/**
 * The public HTTP API: Devino's send call, the /v1 management API, and their OpenAPI document
 * (`/openapi.json`, `/docs`). Building it does no I/O.
 */
export function createApiApp(deps: ApiDeps): ApiApp {
  const app: ApiApp = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.onError(handleError);
  app.notFound((c) =>
    errorResponse(c, new DomainError(ErrorKey.NotFound, `no route ${c.req.method} ${c.req.path}`)),
  );
  app.use(traceRequests(), accessLog());
  app.openAPIRegistry.registerComponent('securitySchemes', 'ApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: "The API key as `Key <api key>` (Devino's form) or `Bearer <api key>`.",
  });

  const keys = deps.keys ?? billingKeyCache(deps.peers);
  const sessions = createSessionStore(deps.database);
  for (const path of ['/whatsapp/*', '/v1/*']) {
    app.use(
      path,
      limitBody(limits.maxBodyBytes),
      requireApiKey(keys.resolve, sessions),
      rejectNulCharacters(),
    );
  }

  const routeDeps: RouteDeps = {
    peers: deps.peers,
    ids: deps.ids,
    idempotency: createIdempotencyGate(deps.database),
    sendCalls: coalescedSendCalls(deps.peers),
    ancestors: cachedAncestors(deps.peers),
    ...(deps.outboundUrls ? { outboundUrls: deps.outboundUrls } : {}),
  };
  registerHealth(app);
  registerOpenApiDocument(app);
  registerDocsPage(app);
  registerConsole(app, deps.consoleDir);
  registerSessions(app, {
    store: sessions,
    ttlMs: deps.sessions?.ttlMs ?? DEFAULT_SESSION_TTL_MS,
    secureCookie: deps.sessions?.secureCookie ?? true,
  });
  registerSendMessages(app, routeDeps);
  registerListMessages(app, routeDeps);
  registerGetMessage(app, routeDeps);
  registerListMessageCallbacks(app, routeDeps);
  registerListSenders(app, routeDeps);
  registerEnrolmentTokens(app, routeDeps);
  registerDevices(app, routeDeps);
  registerFleetHealth(app, routeDeps);
  registerDeviceManagement(app, routeDeps);
  registerRestartDevice(app, routeDeps);
  registerRestoreDevice(app, routeDeps);
  registerScreenshotDevice(app, routeDeps);
  registerGetDeviceCommand(app, routeDeps);
  registerGetScreenshot(app, routeDeps);
  registerListAgents(app, routeDeps);
  registerCreateRollout(app, routeDeps);
  registerGetRollout(app, routeDeps);
  registerGetIncomingWebhook(app, routeDeps);
  registerPutIncomingWebhook(app, routeDeps);
  registerFailedCallbacks(app, routeDeps);
  registerWebhookSecret(app, routeDeps);
  registerWebhookEndpoints(app, routeDeps);
  registerGetBalance(app, routeDeps);
  registerGetUsage(app, routeDeps);
  registerAccounts(app, routeDeps);
  registerAccountMoney(app, routeDeps);
  registerBlocklist(app, routeDeps);
  registerOptOuts(app, routeDeps);
  registerKeys(app, routeDeps);
  registerCreateTemplate(app, routeDeps);
  registerReadTemplates(app, routeDeps);
  registerChangeTemplate(app, routeDeps);
  registerTemplateApproval(app, routeDeps);
  registerPreviewTemplate(app, routeDeps);
  registerConversationWindowPolicy(app, routeDeps);
  return app;
}
