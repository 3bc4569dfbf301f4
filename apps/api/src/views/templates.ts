import {
  type TemplateContentJson,
  type templates,
  templateContentFromProto,
  templateContentToProto,
} from '@wagate/contracts';
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
  return {
    revision: revision.revision,
    status: revision.status as RevisionStatus,
    ...templateContentFromProto(revision.content!),
    reason: revision.rejectionReason || null,
    createdAt: isoTime(revision.createdAtMs),
    reviewedAt: revision.reviewedAtMs !== '0' ? isoTime(revision.reviewedAtMs) : null,
  };
}

/** A `/v1` language version (its content and code) in templates' gRPC form. */
export function languageInput({
  languageCode,
  ...content
}: TemplateContentJson & { languageCode: string }): templates.TemplateLanguageInput {
  return { languageCode, content: templateContentToProto(content) };
}
