/** Limits the contract leaves open, chosen here and documented in the README. */
export const limits = {
  /** Messages in one `POST /whatsapp/messages`. */
  maxMessagesPerRequest: 1000,
  /** WhatsApp's own limit for a text message. */
  maxTextLength: 4096,
  /** E.164 allows 15 digits. */
  maxPhoneDigits: 15,
  minPhoneDigits: 8,
  maxSenderLength: 64,
  maxCallbackDataLength: 2048,
  maxUrlLength: 2048,
  /** Request body size; larger bodies get 413. */
  maxBodyBytes: 5 * 1024 * 1024,
} as const;
