import { limits } from './limits.js';

/** Unicode code points, the way WhatsApp (and JSON Schema's maxLength) count characters. */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * Text a database and the wire can carry unchanged: well-formed UTF-16 (no lone surrogate)
 * and no NUL, which PostgreSQL text and JSON cannot store.
 */
export function isStorableText(value: string): boolean {
  return value.isWellFormed() && !value.includes('\u0000');
}

/** A name or identifier: storable and free of control characters (line breaks included). */
export function isPlainLine(value: string): boolean {
  return isStorableText(value) && !/\p{Cc}/u.test(value);
}

/** An absolute http(s) URL of at most `limits.maxUrlLength` characters, exactly as given (no surrounding spaces). */
export function isHttpUrl(value: string): boolean {
  if (value.length > limits.maxUrlLength || value.trim() !== value) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
