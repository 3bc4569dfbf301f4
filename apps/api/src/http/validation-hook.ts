import { DomainError, ErrorKey, type Reason } from '@wagate/errors';
import type { Context } from 'hono';
import type { z } from 'zod';

type HookResult = { success: true } | { success: false; error: z.ZodError; data?: unknown };

/**
 * The defaultHook of the app's routes: a query, path or body that fails its schema is a 400 in
 * the contract's shape, `ref` naming the parameter (`limit`, `incomingUrl`), `must.be.not.null`
 * when it is missing and `invalid` otherwise.
 */
export function validationHook(result: HookResult, _c: Context): undefined {
  if (result.success) return undefined;
  const reasons = new Map<string, Reason>();
  for (const issue of result.error.issues) {
    const ref = issue.path.map(String).join('.');
    const missing = issue.code === 'invalid_type' && valueAt(result.data, issue.path) === undefined;
    const key = missing ? ErrorKey.MustBeNotNull : ErrorKey.Invalid;
    reasons.set(`${key} ${ref}`, ref === '' ? { key } : { key, ref });
  }
  const description = [...new Set(result.error.issues.map((issue) => issue.message))].join('; ');
  throw DomainError.withReasons([...reasons.values()], description);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}
