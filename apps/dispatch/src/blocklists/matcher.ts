/** What a blocklist found in a message. */
export interface BlockedContent {
  kind: 'word' | 'domain';
  entry: string;
}

export interface BlocklistMatcher {
  find(text: string): BlockedContent | undefined;
}

// A word is delimited by anything that is not a letter, digit or underscore, in any script.
const WORD_CHAR = String.raw`[\p{L}\p{N}\p{M}_]`;
// A host name is letters, digits and hyphens, in labels joined by dots.
const HOST_CHAR = String.raw`[\p{L}\p{N}\p{M}-]`;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
const alternatives = (entries: readonly string[], spell: (entry: string) => string) =>
  [...entries]
    .sort((a, b) => b.length - a.length)
    .map(spell)
    .join('|');

/**
 * One pattern per kind for a whole list. Words match ignoring case (Unicode case folding, so
 * Cyrillic too) between word boundaries of any script; a phrase matches with any whitespace
 * between its words. A domain matches itself and its subdomains wherever it appears — after a
 * scheme, bare, in an e-mail address, before a port or path — but not as part of a longer name
 * ("notexample.com", "example.com.evil").
 */
export function compileBlocklist(words: readonly string[], domains: readonly string[]): BlocklistMatcher {
  const wordPattern =
    words.length > 0
      ? new RegExp(
          `(?<!${WORD_CHAR})(?:${alternatives(words, (word) => escapeRegExp(word).replace(/ /gu, '\\s+'))})(?!${WORD_CHAR})`,
          'iu',
        )
      : undefined;
  const domainPattern =
    domains.length > 0
      ? new RegExp(
          `(?<![\\p{L}\\p{N}\\p{M}.-])(?:${HOST_CHAR}+\\.)*(${alternatives(domains, escapeRegExp)})(?!${HOST_CHAR}|\\.${HOST_CHAR})`,
          'iu',
        )
      : undefined;
  const byLowerCase = new Map([...words, ...domains].map((entry) => [entry.toLowerCase(), entry]));
  const entryOf = (found: string) => byLowerCase.get(found.toLowerCase()) ?? found;
  return {
    find(raw) {
      const text = raw.normalize('NFC');
      const domain = domainPattern?.exec(text);
      if (domain) return { kind: 'domain', entry: entryOf(domain[1]!) };
      const word = wordPattern?.exec(text);
      if (word) return { kind: 'word', entry: entryOf(word[0].replace(/\s+/gu, ' ')) };
      return undefined;
    },
  };
}
