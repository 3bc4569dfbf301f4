import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { limits } from './limits.js';

export type PhoneNumber =
  | { kind: 'ok'; digits: string }
  | { kind: 'missing' }
  | { kind: 'too-long'; digits: number }
  | { kind: 'invalid'; why: string };

/** What a recipient may look like before normalising: digits, one leading `+`, and `( ) - . ` separators. */
const WRITTEN_FORM = /^\+?[\d\s\-().]+$/;
/** The Russian trunk form of a mobile number, `8 9XX XXX-XX-XX`; no country code starts with 89. */
const RUSSIAN_MOBILE_TRUNK = /^89\d{9}$/;

/**
 * Normalises a recipient to E.164 digits without `+` (`79034567890`) and checks it with
 * libphonenumber-js's metadata: `+7 (903) 456-78-90`, `7 903 456 78 90` and `79034567890`
 * are the same number. The number is always read as international — the contract has no
 * default country — except the Russian mobile trunk form `89XXXXXXXXX` (11 digits, no `+`),
 * which is read as `79XXXXXXXXX`: Devino's users write it, and it cannot be an international
 * number because no country code begins with 89. Other `8…` forms stay international
 * (`84951234567` is a Vietnamese number, not Moscow's `8 495 123-45-67`).
 */
export function normalisePhoneNumber(value: string): PhoneNumber {
  const written = value.trim();
  if (written === '') return { kind: 'missing' };
  if (!WRITTEN_FORM.test(written)) {
    return {
      kind: 'invalid',
      why: 'only digits, a leading "+", spaces, dashes, dots and parentheses may appear',
    };
  }
  let digits = written.replace(/\D/g, '');
  if (digits.length > limits.maxPhoneDigits) return { kind: 'too-long', digits: digits.length };
  if (!written.startsWith('+') && RUSSIAN_MOBILE_TRUNK.test(digits)) digits = `7${digits.slice(1)}`;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed?.isValid()) {
    return { kind: 'invalid', why: `+${digits} is not a valid number in any country's numbering plan` };
  }
  return { kind: 'ok', digits: parsed.number.slice(1) };
}
