import type { templates } from '@wagate/contracts';
import { isoTime } from './messages.js';

/** A template from templates' gRPC form to the `/v1` JSON shape. */
export function templateView(template: templates.Template | undefined) {
  if (!template) throw new Error('templates answered without the template');
  return {
    id: template.id,
    name: template.name,
    category: template.category as 'marketing' | 'utility' | 'authentication',
    defaultLanguage: template.defaultLanguage,
    languages: template.languages.map((language) => ({
      languageCode: language.languageCode,
      latest: revisionView(language.latest!),
      serving: language.serving ? revisionView(language.serving) : null,
    })),
    createdAt: isoTime(template.createdAtMs),
    updatedAt: isoTime(template.updatedAtMs),
  };
}

type RevisionStatus = 'draft' | 'pending' | 'approved' | 'rejected' | 'paused' | 'superseded';

function revisionView(revision: templates.TemplateRevision) {
  const content = revision.content!;
  const header = content.header;
  return {
    revision: revision.revision,
    status: revision.status as RevisionStatus,
    body: content.body,
    ...(header
      ? {
          header:
            header.format === 'media'
              ? { format: 'media' as const, mediaUrl: header.mediaUrl, mediaType: header.mediaType }
              : { format: 'text' as const, text: header.text },
        }
      : {}),
    ...(content.footer !== undefined ? { footer: content.footer } : {}),
    ...(content.buttons.length > 0 ? { buttons: content.buttons.map(buttonView) } : {}),
    reason: revision.rejectionReason || null,
    createdAt: isoTime(revision.createdAtMs),
    reviewedAt: revision.reviewedAtMs !== '0' ? isoTime(revision.reviewedAtMs) : null,
  };
}

function buttonView(button: templates.TemplateButton) {
  if (button.type === 'url') return { type: 'url' as const, text: button.text, url: button.url };
  if (button.type === 'phone')
    return { type: 'phone' as const, text: button.text, phoneNumber: button.phoneNumber };
  return { type: 'quick_reply' as const, text: button.text };
}

/** A `/v1` language version's content in templates' gRPC form. */
export function languageInput(language: {
  languageCode: string;
  body: string;
  header?:
    | { format: 'text'; text: string }
    | { format: 'media'; mediaUrl: string; mediaType: string }
    | undefined;
  footer?: string | undefined;
  buttons?: Array<{ type: string; text: string; url?: string; phoneNumber?: string }> | undefined;
}): templates.TemplateLanguageInput {
  const { header } = language;
  return {
    languageCode: language.languageCode,
    content: {
      body: language.body,
      ...(header
        ? {
            header:
              header.format === 'text'
                ? { format: 'text', text: header.text, mediaUrl: '', mediaType: '' }
                : { format: 'media', text: '', mediaUrl: header.mediaUrl, mediaType: header.mediaType },
          }
        : {}),
      ...(language.footer !== undefined ? { footer: language.footer } : {}),
      buttons: (language.buttons ?? []).map((button) => ({
        type: button.type,
        text: button.text,
        url: button.url ?? '',
        phoneNumber: button.phoneNumber ?? '',
      })),
    },
  };
}
