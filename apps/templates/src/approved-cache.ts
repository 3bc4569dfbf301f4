import type { Kysely } from 'kysely';
import type { RevisionContent, TemplateCategory, TemplatesTables } from './db/tables.js';
import { findApproved } from './template-store.js';

/** What rendering needs of a template: its approved revision per language. */
export interface ApprovedTemplate {
  category: TemplateCategory;
  defaultLanguage: string;
  versions: ReadonlyMap<string, { revision: number; content: RevisionContent }>;
}

export interface ApprovedCache {
  /** The approved versions of each template id (null: the account has no such template). */
  get(accountId: string, templateIds: readonly string[]): Promise<Map<string, ApprovedTemplate | null>>;
  invalidate(accountId: string, templateId: string): void;
}

/**
 * Approved templates kept in memory, so a send costs no query of templates' tables once a
 * template has been used. A change drops the entry (`template.changed` on every replica, and
 * directly on the replica that wrote it); `ttlMs` bounds how stale an entry can get should the
 * bus lose an event. Misses of one batch are loaded in one query.
 */
export function createApprovedCache(
  db: Kysely<TemplatesTables>,
  options: { ttlMs?: number; maxEntries?: number } = {},
): ApprovedCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { value: ApprovedTemplate | null; until: number }>();
  // Bumped by every invalidation: a load that overlapped one may hold what it replaced, so it is
  // used for its own batch but not kept.
  let invalidations = 0;
  const keyOf = (accountId: string, templateId: string) => `${accountId}\u0000${templateId}`;

  return {
    async get(accountId, templateIds) {
      const now = Date.now();
      const found = new Map<string, ApprovedTemplate | null>();
      const missing: string[] = [];
      for (const templateId of new Set(templateIds)) {
        const hit = entries.get(keyOf(accountId, templateId));
        if (hit && hit.until > now) found.set(templateId, hit.value);
        else missing.push(templateId);
      }
      if (missing.length === 0) return found;
      const seen = invalidations;
      const loaded = new Map(
        (await findApproved(db, accountId, missing)).map(({ template, revisions }) => [
          template.id,
          {
            category: template.category,
            defaultLanguage: template.default_language,
            versions: new Map(
              revisions.map((row) => [row.language_code, { revision: row.revision, content: row.content }]),
            ),
          },
        ]),
      );
      for (const templateId of missing) {
        const value = loaded.get(templateId) ?? null;
        found.set(templateId, value);
        if (seen !== invalidations) continue;
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(keyOf(accountId, templateId), { value, until: now + ttlMs });
      }
      return found;
    },
    invalidate(accountId, templateId) {
      invalidations += 1;
      entries.delete(keyOf(accountId, templateId));
    },
  };
}
