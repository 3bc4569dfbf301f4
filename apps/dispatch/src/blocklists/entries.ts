import { DomainError, ErrorKey } from '@wagate/errors';

/** Entries per list and per kind: enough for real lists, small enough to compile into one pattern. */
export const MAX_BLOCKLIST_ENTRIES = 1000;
const MAX_ENTRY_LENGTH = 100;

const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`;
const DOMAIN = new RegExp(`^(?:${LABEL}\\.)+${LABEL}$`, 'u');

/**
 * A blocked word or phrase as stored: NFC, single spaces, as the owner spelled it (matching
 * ignores case). Refused when it has no letter or digit, or is too long.
 */
export function normaliseWord(raw: string): string {
  const word = raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (word.length === 0 || word.length > MAX_ENTRY_LENGTH || !/[\p{L}\p{N}]/u.test(word)) {
    throw new DomainError(ErrorKey.Invalid, `"${raw}" is not a word or phrase (1–100 characters)`);
  }
  return word;
}

/**
 * A blocked domain as stored: lower case, without scheme, credentials, port, path or a leading
 * `*.` — so "https://www.Example.com/x" and "*.example.com" are written the way they match.
 */
export function normaliseDomain(raw: string): string {
  const domain = raw
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//u, '')
    .replace(/^[^/@]*@/u, '')
    .replace(/[/?#:].*$/u, '')
    .replace(/^(?:\*\.|\.)/u, '')
    .replace(/\.$/u, '');
  if (domain.length > 253 || !DOMAIN.test(domain)) {
    throw new DomainError(ErrorKey.Invalid, `"${raw}" is not a domain such as example.com`);
  }
  return domain;
}

/** Normalises a whole list, dropping repeats (ignoring case), in the order given. */
export function normaliseEntries(
  raw: readonly string[],
  normalise: (entry: string) => string,
  kind: string,
): string[] {
  if (raw.length > MAX_BLOCKLIST_ENTRIES) {
    throw new DomainError(ErrorKey.Invalid, `at most ${MAX_BLOCKLIST_ENTRIES} ${kind} per list`);
  }
  const seen = new Map<string, string>();
  for (const entry of raw) {
    const normalised = normalise(entry);
    const key = normalised.toLowerCase();
    if (!seen.has(key)) seen.set(key, normalised);
  }
  return [...seen.values()];
}
