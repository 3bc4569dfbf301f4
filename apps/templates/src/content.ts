import type { templates } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { RevisionContent } from './db/tables.js';
import { placeholderProblem } from './render.js';

/**
 * A revision's content from its gRPC form, checked for what only templates knows (placeholders
 * numbered without gaps, known header and button kinds); the api has checked lengths and shapes.
 * `where` names the language in the error.
 */
export function contentFromProto(
  content: templates.TemplateContent | undefined,
  where: string,
): RevisionContent {
  const invalid = (problem: string) => new DomainError(ErrorKey.Invalid, `${where}: ${problem}`);
  if (!content || content.body.trim() === '') throw invalid('the body must not be empty');
  const problem = placeholderProblem(content.body);
  if (problem) throw invalid(problem);
  const result: RevisionContent = { body: content.body };
  if (content.header) {
    const { format, text, mediaUrl, mediaType } = content.header;
    if (format === 'text' && text !== '') result.header = { format, text };
    else if (format === 'media' && mediaUrl !== '' && mediaType !== '')
      result.header = { format, mediaUrl, mediaType };
    else throw invalid('a header is {"format":"text","text"} or {"format":"media","mediaUrl","mediaType"}');
    if (/\{\{\d+\}\}/.test(text)) {
      throw invalid('placeholders belong in the body; the header is sent as written');
    }
  }
  if (content.footer !== undefined && content.footer !== '') result.footer = content.footer;
  if (content.buttons.length > 0)
    result.buttons = content.buttons.map((button) => buttonFromProto(button, invalid));
  return result;
}

function buttonFromProto(
  button: templates.TemplateButton,
  invalid: (problem: string) => Error,
): NonNullable<RevisionContent['buttons']>[number] {
  if (button.text === '') throw invalid('every button needs a text');
  if (button.type === 'quick_reply') return { type: 'quick_reply', text: button.text };
  if (button.type === 'url' && button.url !== '') return { type: 'url', text: button.text, url: button.url };
  if (button.type === 'phone' && button.phoneNumber !== '') {
    return { type: 'phone', text: button.text, phoneNumber: button.phoneNumber };
  }
  throw invalid('a button is a quick_reply, a url (with `url`) or a phone (with `phoneNumber`)');
}

export function sameContent(a: RevisionContent, b: RevisionContent): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(content: RevisionContent) {
  return [content.body, content.header ?? null, content.footer ?? null, content.buttons ?? []];
}
