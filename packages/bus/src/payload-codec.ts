/**
 * Payloads travel as JSON in both adapters, so the memory bus hands handlers a fresh copy
 * (never the publisher's object) and rejects what JetStream could not carry either.
 */
export function encodePayload(data: unknown): string {
  const json = JSON.stringify(data);
  if (json === undefined) {
    throw new TypeError(`bus payload is not JSON-serialisable (got ${typeof data})`);
  }
  return json;
}

export function decodePayload(json: string): unknown {
  return JSON.parse(json);
}
