import { DomainError, ErrorKey } from '@wagate/errors';
import type { Context, MiddlewareHandler } from 'hono';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

export interface JsonBody {
  /** The body as sent, e.g. for an idempotency fingerprint. */
  text: string;
  value: Record<string, unknown>;
}

/** Whether the request says its body is JSON (`application/json` or `application/…+json`). */
export function hasJsonBody(c: Context): boolean {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  return JSON_MEDIA_TYPE.test(mediaType);
}

/**
 * Reads a JSON object body: the wrong content type is 415, malformed JSON is 400, and a body
 * that is valid JSON but not an object is 400 — each in the contract's error shape.
 */
export async function readJsonObject(c: Context): Promise<JsonBody> {
  if (!hasJsonBody(c)) {
    throw new DomainError(
      ErrorKey.UnsupportedMediaType,
      'send the body as JSON with Content-Type: application/json',
    );
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DomainError(ErrorKey.MalformedJson, `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DomainError(ErrorKey.Invalid, 'the body must be a JSON object such as {"messages":[...]}');
  }
  return { text, value: value as Record<string, unknown> };
}

/**
 * For routes whose body a zod validator reads next: refuses what is not a JSON object with the
 * same errors as the send call, so every route answers bad bodies alike.
 */
export function jsonObjectBody(): MiddlewareHandler {
  return async (c, next) => {
    await readJsonObject(c);
    await next();
  };
}
