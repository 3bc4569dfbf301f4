import { StatusErrorCode } from '@wagate/errors';
import type { ApprovedCache, ApprovedTemplate } from './approved-cache.js';
import { chooseLanguage } from './languages.js';
import { renderContent } from './render.js';

/** One message to render: its template, the language asked for (empty: the template's default) and `{{n}}` values. */
export interface RenderItem {
  messageId: string;
  templateId: string;
  languageCode: string;
  params: Record<string, string>;
}

export type RenderResult = RenderedText | RenderFailure;

export interface RenderedText {
  ok: true;
  messageId: string;
  text: string;
  category: string;
  /** The language rendered, which may be a fallback of the one asked for. */
  languageCode: string;
  revision: number;
  /** The header's media, when the template has a media header. */
  media?: { url: string; type: string };
}

/** A callback-time code (2308–2311) the message will fail with. */
export interface RenderFailure {
  ok: false;
  messageId: string;
  errorCode: number;
  description: string;
  /** The template's category; empty when there is no such template. */
  category: string;
}

/**
 * Renders a batch from the approved cache: one result per item, in order. A failure is a
 * callback-time code (2308–2311) the message will fail with; the api still accepts it.
 */
export async function renderBatch(
  cache: ApprovedCache,
  accountId: string,
  items: readonly RenderItem[],
): Promise<RenderResult[]> {
  const approved = await cache.get(
    accountId,
    items.map((item) => item.templateId),
  );
  return items.map((item) => renderItem(item, approved.get(item.templateId) ?? null));
}

function renderItem(item: RenderItem, template: ApprovedTemplate | null): RenderResult {
  const failed = (errorCode: number, description: string, category = ''): RenderFailure => ({
    ok: false,
    messageId: item.messageId,
    errorCode,
    description,
    category,
  });
  // Another account's template reads exactly like a missing one.
  if (!template) {
    return failed(StatusErrorCode.TemplateLanguageMissing, `no template ${item.templateId} in this account`);
  }
  const choice = chooseLanguage(
    item.languageCode,
    template.defaultLanguage,
    new Set(template.versions.keys()),
  );
  if (!choice.found) return failed(choice.errorCode, choice.description, template.category);
  const version = template.versions.get(choice.languageCode)!;
  const outcome = renderContent(version.content, item.params);
  if (!outcome.ok) return failed(outcome.errorCode, outcome.description, template.category);
  const header = version.content.header;
  return {
    ok: true,
    messageId: item.messageId,
    text: outcome.text,
    category: template.category,
    languageCode: choice.languageCode,
    revision: version.revision,
    ...(header?.format === 'media' ? { media: { url: header.mediaUrl, type: header.mediaType } } : {}),
  };
}
