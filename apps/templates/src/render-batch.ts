import type { templates } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import type { ApprovedCache, ApprovedTemplate } from './approved-cache.js';
import { chooseLanguage } from './languages.js';
import { renderContent } from './render.js';

/**
 * Renders a batch from the approved cache: one result per item, in order. A failure is a
 * callback-time code (2308–2311) the message will fail with; the api still accepts it.
 */
export async function renderBatch(
  cache: ApprovedCache,
  request: templates.RenderRequest,
): Promise<templates.RenderResponse> {
  const approved = await cache.get(
    request.accountId,
    request.items.map((item) => item.templateId),
  );
  return { results: request.items.map((item) => renderItem(item, approved.get(item.templateId) ?? null)) };
}

function renderItem(item: templates.RenderItem, template: ApprovedTemplate | null): templates.RenderResult {
  const failed = (errorCode: number, description: string, category = '') => ({
    messageId: item.messageId,
    text: '',
    errorCode,
    description,
    category,
    languageCode: '',
    revision: 0,
    contentUrl: '',
    contentType: '',
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
    messageId: item.messageId,
    text: outcome.text,
    errorCode: 0,
    description: '',
    category: template.category,
    languageCode: choice.languageCode,
    revision: version.revision,
    contentUrl: header?.format === 'media' ? header.mediaUrl : '',
    contentType: header?.format === 'media' ? header.mediaType : '',
  };
}
