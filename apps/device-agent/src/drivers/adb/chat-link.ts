/**
 * The link WhatsApp opens a chat from, with the text already in its input. Carrying the
 * text in the URL (percent-encoded) means it reaches WhatsApp without any typing through
 * `input text`, which mangles spaces, quotes and anything outside ASCII.
 */
export function chatLink(recipient: string, text?: string): string {
  // WhatsApp wants the international number as digits only: no "+", no trunk zero.
  if (!/^\d{5,15}$/.test(recipient))
    throw new RangeError(`recipient must be 5-15 digits, got "${recipient}"`);
  const link = `https://api.whatsapp.com/send?phone=${recipient}`;
  return text === undefined ? link : `${link}&text=${encodeText(text)}`;
}

/**
 * Percent-encodes every character that is not unreserved in RFC 3986, so the link holds
 * nothing a shell or a URI parser could read differently. A lone surrogate (which
 * encodeURIComponent refuses) becomes U+FFFD rather than failing the send.
 */
function encodeText(text: string): string {
  return encodeURIComponent(text.toWellFormed()).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
