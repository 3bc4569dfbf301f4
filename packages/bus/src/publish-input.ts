import { normalizeHeaders } from './bus-headers.js';
import { encodePayload } from './payload-codec.js';
import type { PublishInput, Topic } from './port.js';
import { assertValidTopic } from './topic.js';

/** A publish both adapters have checked the same way, with the payload already JSON. */
export interface PreparedPublish {
  topic: Topic;
  id: string;
  key: string;
  payload: string;
  headers: Record<string, string>;
}

/**
 * Validates a publish once for both adapters. `id` and `key` travel as NATS headers in
 * production, so they get the header rules here too; an empty id would silently switch
 * JetStream's dedup off, so it is refused.
 */
export function preparePublish(input: PublishInput): PreparedPublish {
  assertValidTopic(input.topic);
  assertHeaderSafe('id', input.id);
  assertHeaderSafe('key', input.key);
  if (input.id.length === 0) throw new TypeError('bus publish id must not be empty');
  return {
    topic: input.topic,
    id: input.id,
    key: input.key,
    payload: encodePayload(input.data),
    headers: normalizeHeaders(input.headers),
  };
}

function assertHeaderSafe(field: string, value: string): void {
  if (typeof value !== 'string' || /[\r\n]/.test(value) || value.trim() !== value) {
    throw new TypeError(`bus publish ${field} must be a string without CR, LF or surrounding whitespace`);
  }
}
