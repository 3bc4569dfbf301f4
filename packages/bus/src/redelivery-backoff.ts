const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 10_000;

/**
 * How long to wait before redelivering a delivery whose handler threw: doubles with every
 * attempt so a failing dependency is not hammered, capped so a recovered one is picked up soon.
 */
export function redeliveryDelayMs(deliveryCount: number): number {
  const attempt = Math.max(1, Math.floor(deliveryCount));
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
}
