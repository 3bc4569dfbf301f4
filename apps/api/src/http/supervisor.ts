import type { MiddlewareHandler } from 'hono';
import { type ApiEnv, requireScope } from './auth.js';

/**
 * Who may act on an account as its reseller or the platform admin: approve, reject or pause
 * its templates, set its conversation-window policy. The one place that decides it.
 *
 * Until the account tree exists (accounts issue), that is a key of the account itself with the
 * `manage` scope. With the tree it must become: a key of the platform account, or of an
 * ancestor reseller of the target account, with `manage` — and the routes then take the target
 * account from the path instead of the caller's key.
 */
export function requireSupervisor(): MiddlewareHandler<ApiEnv> {
  return requireScope('manage');
}
