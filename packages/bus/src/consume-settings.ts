import type { ConsumeOptions } from './port.js';
import { assertValidTopic } from './topic.js';

const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_MAX_IN_FLIGHT = 64;

export interface ConsumeSettings {
  ackWaitMs: number;
  maxInFlight: number;
}

/** The port's defaults and bounds, applied identically by both adapters. */
export function consumeSettings(options: ConsumeOptions<unknown>): ConsumeSettings {
  assertValidTopic(options.topic);
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isFinite(ackWaitMs) || ackWaitMs <= 0) {
    throw new RangeError(`ackWaitMs must be a positive number of milliseconds, got ${ackWaitMs}`);
  }
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }
  if (options.group.length === 0) throw new TypeError('consumer group name must not be empty');
  return { ackWaitMs, maxInFlight };
}
