import { RequestError, RequestErrorKey } from '@wagate/errors';
import type { Context } from 'hono';

/**
 * Reads a JSON object body: the wrong content type is 415, malformed JSON is 400, and a body
 * that is valid JSON but not an object is 400 — each in the contract's error shape.
 */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw RequestError.of(415, RequestErrorKey.UnsupportedMediaType, 'send the body as JSON with Content-Type: application/json');
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw RequestError.of(400, RequestErrorKey.MalformedJson, `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw RequestError.of(400, RequestErrorKey.Invalid, 'the body must be a JSON object such as {"messages":[...]}');
  }
  return value as Record<string, unknown>;
}
