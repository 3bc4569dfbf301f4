import type { templates } from '@wagate/contracts';
import type { ContentDraft } from '../content.js';
import type { LanguageDraft } from '../manage-templates.js';

/**
 * Requests in their gRPC form read into templates' domain types. Where a request already has
 * the domain's shape (render items, review, references) the handler passes it as it is and the
 * compiler checks the two agree, so a proto change still fails here, at the edge.
 */

export function languagesFromProto(languages: templates.TemplateLanguageInput[]): LanguageDraft[] {
  return languages.map((language) => ({
    languageCode: language.languageCode,
    content: language.content && contentFromProto(language.content),
  }));
}

function contentFromProto({ body, header, footer, buttons }: templates.TemplateContent): ContentDraft {
  return {
    body,
    ...(header
      ? {
          header: {
            format: header.format,
            text: header.text,
            mediaUrl: header.mediaUrl,
            mediaType: header.mediaType,
          },
        }
      : {}),
    ...(footer !== undefined ? { footer } : {}),
    buttons: buttons.map(({ type, text, url, phoneNumber }) => ({ type, text, url, phoneNumber })),
  };
}
