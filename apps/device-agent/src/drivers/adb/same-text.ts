/**
 * Whether text read back from the screen is the text we sent. Views re-flow what they show
 * (line endings, runs of spaces, leading and trailing blanks), so only the words and their
 * order must match.
 */
export function sameText(onScreen: string, sent: string): boolean {
  return normaliseText(onScreen) === normaliseText(sent);
}

export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}
