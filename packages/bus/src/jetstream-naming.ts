import { createHash } from 'node:crypto';
import type { Topic } from './port.js';

/** Header carrying the ordering key; `Nats-Msg-Id` carries the id. */
export const KEY_HEADER = 'Wagate-Key';
export const MSG_ID_HEADER = 'Nats-Msg-Id';

const SUBJECT_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

export function assertValidStreamConfig(streamName: string, subjectPrefix: string): void {
  if (!STREAM_NAME_PATTERN.test(streamName)) {
    throw new TypeError(`invalid JetStream stream name "${streamName}": use letters, digits, _ and -`);
  }
  if (!SUBJECT_PREFIX_PATTERN.test(subjectPrefix)) {
    throw new TypeError(
      `invalid subject prefix "${subjectPrefix}": use dot-separated tokens of letters, digits, _ and -`,
    );
  }
}

/** `message.accepted` under prefix `wagate` is published on `wagate.message.accepted`. */
export function subjectFor(subjectPrefix: string, topic: Topic): string {
  return `${subjectPrefix}.${topic}`;
}

/**
 * The durable consumer behind a group on a topic. Durable names allow only a subset of
 * characters, so both parts are sanitised; the hash of the raw pair keeps two pairs that
 * sanitise alike (`a.b` vs `a_b`) from sharing — and reconfiguring — one consumer.
 */
export function durableNameFor(group: string, topic: Topic): string {
  const sanitize = (part: string): string => part.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const hash = createHash('sha256').update(`${group}\u0000${topic}`).digest('hex').slice(0, 8);
  return `${sanitize(group)}__${sanitize(topic)}__${hash}`;
}
