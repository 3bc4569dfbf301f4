/**
 * Whole-message replies that opt a recipient out, upper case, by language. Only a message that
 * is nothing but one of these (any case, surrounding spaces and punctuation ignored) counts:
 * "stop!" does, "don't stop" does not.
 */
export const STOP_KEYWORDS: readonly string[] = [
  // English
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'OPTOUT',
  'OPT OUT',
  'OPT-OUT',
  // Russian
  'СТОП',
  'ОТПИСАТЬСЯ',
  'ОТПИСКА',
  // Spanish
  'ALTO',
  'BAJA',
  // French
  'ARRET',
  'ARRÊT',
  'DESABONNER',
  'DÉSABONNER',
  // Portuguese
  'PARAR',
  'SAIR',
  // German
  'STOPP',
  'ABMELDEN',
];

/** Replies that take the recipient off the list again: they asked to hear from the account. */
export const START_KEYWORDS: readonly string[] = ['START', 'UNSTOP', 'СТАРТ'];

const stops = new Set(STOP_KEYWORDS);
const starts = new Set(START_KEYWORDS);

/** The keyword an inbound text is, as written in the lists above, or undefined. */
function keywordOf(text: string, keywords: Set<string>): string | undefined {
  const bare = text
    .normalize('NFC')
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .replace(/\s+/gu, ' ')
    .toUpperCase();
  return keywords.has(bare) ? bare : undefined;
}

export const stopKeywordOf = (text: string) => keywordOf(text, stops);
export const startKeywordOf = (text: string) => keywordOf(text, starts);
