import type { Topic } from './port.js';

// Dot-separated tokens, each safe as a NATS subject token: no wildcards, spaces or empty tokens.
const TOPIC_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Both adapters reject the same topics, so code that runs on the memory bus also runs on JetStream. */
export function assertValidTopic(topic: Topic): void {
  if (!TOPIC_PATTERN.test(topic)) {
    throw new TypeError(`invalid bus topic "${topic}": use dot-separated tokens of letters, digits, _ and -`);
  }
}
