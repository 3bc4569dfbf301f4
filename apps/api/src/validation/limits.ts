/**
 * Limits the contract leaves open, chosen here. Every one of them is quoted in the OpenAPI
 * document (field descriptions and the API description), so the page and the code never differ.
 */
export const limits = {
  /** Messages in one `POST /whatsapp/messages`. */
  maxMessagesPerRequest: 1000,
  /** WhatsApp's own limit for a text message, counted in Unicode code points. */
  maxTextLength: 4096,
  /** E.164 allows 15 digits, country code included. */
  maxPhoneDigits: 15,
  /** A sender name (or number) as the account registered it. */
  maxSenderLength: 64,
  maxCallbackDataLength: 2048,
  maxUrlLength: 2048,
  /** A file name; at least one character that is not a space. */
  minContentNameLength: 1,
  maxContentNameLength: 255,
  maxTemplateIdLength: 128,
  maxTemplateParams: 100,
  maxTemplateParamNameLength: 64,
  maxTemplateParamLength: 1024,
  /** `ru`, `en_US`, `pt-BR`, `zh_Hant`: a 2–3 letter language, optionally `_`/`-` and a region or script. */
  minLanguageCodeLength: 2,
  maxLanguageCodeLength: 8,
  /** Seconds; the contract's "possible value — one day" is the upper bound. */
  minValiditySeconds: 1,
  maxValiditySeconds: 86_400,
  /** Request body size; larger bodies get 413. */
  maxBodyBytes: 5 * 1024 * 1024,
  /** `Idempotency-Key` responses are replayed for this long. */
  idempotencyWindowHours: 24,
  /** Templates, as WhatsApp bounds them: lower-case name, body, footer, buttons. */
  maxTemplateNameLength: 512,
  maxTemplateBodyLength: 1024,
  maxTemplateHeaderTextLength: 60,
  maxTemplateFooterLength: 60,
  maxTemplateButtons: 10,
  maxTemplateButtonTextLength: 25,
  maxTemplateLanguages: 50,
  /** Page size of `/v1` lists. */
  defaultPageSize: 50,
  maxPageSize: 100,
} as const;
