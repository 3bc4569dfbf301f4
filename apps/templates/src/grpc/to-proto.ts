import { type templates, templateContentToProto } from '@wagate/contracts';
import type { RenderResult } from '../render-batch.js';
import type { RevisionRow, StoredTemplate } from '../template-store.js';

/**
 * Templates' domain types in their gRPC form: the only place (with from-proto.ts) that knows
 * the generated types, so a change of the proto is a change here.
 */

/** Statuses a send may use (approved) or that stand in for it while paused. */
const SERVING = new Set(['approved', 'paused']);

/** A stored template in its gRPC form: per language, the newest revision and the one serving. */
export function templateToProto({ template, revisions }: StoredTemplate): templates.Template {
  const byLanguage = new Map<string, RevisionRow[]>();
  for (const revision of revisions) {
    byLanguage.set(revision.language_code, [...(byLanguage.get(revision.language_code) ?? []), revision]);
  }
  return {
    id: template.id,
    accountId: template.account_id,
    name: template.name,
    category: template.category,
    defaultLanguage: template.default_language,
    languages: [...byLanguage].map(([languageCode, history]) => {
      const serving = history.findLast((revision) => SERVING.has(revision.status));
      return {
        languageCode,
        latest: revisionToProto(history.at(-1)!),
        ...(serving ? { serving: revisionToProto(serving) } : {}),
      };
    }),
    createdAtMs: String(template.created_at.getTime()),
    updatedAtMs: String(template.updated_at.getTime()),
  };
}

function revisionToProto(row: RevisionRow): templates.TemplateRevision {
  return {
    revision: row.revision,
    status: row.status,
    content: templateContentToProto(row.content),
    rejectionReason: row.rejection_reason ?? '',
    createdAtMs: String(row.created_at.getTime()),
    reviewedAtMs: String(row.reviewed_at?.getTime() ?? 0),
  };
}

/** A render result in its gRPC form: every field present, empty or zero when it does not apply. */
export function renderResultToProto(result: RenderResult): templates.RenderResult {
  if (!result.ok) {
    return {
      messageId: result.messageId,
      text: '',
      errorCode: result.errorCode,
      description: result.description,
      category: result.category,
      languageCode: '',
      revision: 0,
      contentUrl: '',
      contentType: '',
    };
  }
  return {
    messageId: result.messageId,
    text: result.text,
    errorCode: 0,
    description: '',
    category: result.category,
    languageCode: result.languageCode,
    revision: result.revision,
    contentUrl: result.media?.url ?? '',
    contentType: result.media?.type ?? '',
  };
}
