// Printable ASCII except colon: what NATS (and HTTP) accept as a header name.
const HEADER_NAME = /^[!-9;-~]+$/;
// `Nats-*` headers steer the server (dedup, expectations) and `Wagate-Key` carries the ordering key.
const RESERVED_HEADER = /^(nats-|wagate-key$)/i;

/**
 * Checks and normalises publish headers the way the JetStream adapter must (NATS rejects
 * CR/LF and trims values), in both adapters, so the memory bus accepts exactly what
 * production accepts and delivers the same values.
 */
export function normalizeHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw new TypeError(`invalid bus header name "${name}"`);
    if (RESERVED_HEADER.test(name))
      throw new TypeError(`bus header "${name}" is reserved for the bus itself`);
    if (/[\r\n]/.test(value)) throw new TypeError(`bus header "${name}" must not contain CR or LF`);
    normalized[name] = value.trim();
  }
  return normalized;
}
