import type { OpenAPIHono } from '@hono/zod-openapi';
import type { IdGenerator } from '@wagate/ids';
import type { ApiEnv } from '../http/auth.js';
import type { IdempotencyGate } from '../http/idempotency-gate.js';
import type { Peers } from '../peers.js';
import type { AncestorResolver } from '../send/account-ancestors.js';
import type { SendCalls } from '../send/coalesced-calls.js';
import type { OutboundUrlRules } from '../validation/validate-message.js';

export type ApiApp = OpenAPIHono<ApiEnv>;

/** What the routes need; built once by createApiApp. */
export interface RouteDeps {
  peers: Peers;
  ids: IdGenerator;
  idempotency: IdempotencyGate;
  /** Billing's Reserve and dispatch's Accept as sends make them: coalesced per account. */
  sendCalls: SendCalls;
  /** The accounts above an account (billing's tree), for the policy's blocklists. */
  ancestors: AncestorResolver;
  outboundUrls?: OutboundUrlRules;
}
