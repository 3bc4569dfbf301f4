/**
 * Callback-time error codes of the public contract (the numeric `errorCode` of a status
 * callback). 0 means no error.
 */
export const StatusErrorCode = {
  None: 0,
  OperatorUnknown: 2000,
  Spam: 2001,
  BillingError: 2002,
  InsufficientFunds: 2005,
  Duplicate: 2009,
  ValidityExpired: 2010,
  ValidityExpiredInQueue: 2011,
  SpamContent: 2017,
  TextTooLong: 2300,
  TooManyMessages: 2301,
  SpamRecipient: 2302,
  MediaNotSupported: 2303,
  TextTooLongForChannel: 2304,
  NotOnWhatsApp: 2305,
  SelfSend: 2307,
  TemplateParamCount: 2308,
  TemplateLanguageMissing: 2309,
  TemplateLocaleMissing: 2310,
  TemplateParamTooLong: 2311,
  OutsideConversationWindow: 2312,
  Unknown: 2313,
} as const;
export type StatusErrorCode = (typeof StatusErrorCode)[keyof typeof StatusErrorCode];

const descriptions: Record<number, string> = {
  0: 'no error',
  2000: "the recipient's operator could not be determined",
  2001: 'rejected as spam',
  2002: 'billing error',
  2003: 'billing error',
  2004: 'billing error',
  2005: 'insufficient funds',
  2006: 'billing error',
  2007: 'billing error',
  2008: 'billing error',
  2009: 'rejected as a duplicate',
  2010: 'validity expired',
  2011: 'validity expired',
  2012: 'billing error',
  2017: 'rejected as spam',
  2300: 'text length limit exceeded',
  2301: 'too many messages in a short time; retry later',
  2302: 'rejected as spam',
  2303: 'MIME type not supported or image too large',
  2304: 'text length limit exceeded',
  2305: 'the recipient does not use WhatsApp',
  2307: "sent to the business account's own number",
  2308: 'the number of template parameters does not match the template',
  2309: 'the template does not exist for that language',
  2310: 'the template does not exist for that locale',
  2311: 'a template parameter is too long',
  2312: 'message sent outside a conversation and without a template',
  2313: 'unknown error',
};

export function describeStatusError(code: number): string {
  return descriptions[code] ?? descriptions[2313]!;
}
