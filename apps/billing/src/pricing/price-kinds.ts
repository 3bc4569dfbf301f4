import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** What a message is priced as: a session text, media, or a template of its category. */
export const priceKinds = [
  'text',
  'media',
  'template:marketing',
  'template:utility',
  'template:authentication',
] as const;
export type PriceKind = (typeof priceKinds)[number];

export const ANY_COUNTRY = '*';
/** libphonenumber-js's code for a number whose country it cannot tell. */
export const UNKNOWN_COUNTRY = 'ZZ';

export function isPriceKind(kind: string): kind is PriceKind {
  return (priceKinds as readonly string[]).includes(kind);
}

/**
 * A template whose category is not known is priced as marketing, the dearest category
 * (as WhatsApp itself does for a template it cannot classify).
 */
export function priceKindOf(kind: string, templateCategory: string): PriceKind {
  if (kind === 'template') {
    const candidate = `template:${templateCategory}`;
    return isPriceKind(candidate) ? candidate : 'template:marketing';
  }
  return kind === 'media' ? 'media' : 'text';
}

/** The recipient's country (ISO 3166-1 alpha-2) from the digits the api stored. */
export function countryOf(recipientDigits: string): string {
  return parsePhoneNumberFromString(`+${recipientDigits}`)?.country ?? UNKNOWN_COUNTRY;
}
