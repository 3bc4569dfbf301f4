import { templateRenderLimits } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import type { RevisionContent } from './db/tables.js';

/** Beyond them a send fails with 2311. */
export const renderLimits = templateRenderLimits;

export type RenderOutcome =
  | { ok: true; text: string }
  | { ok: false; errorCode: number; description: string };

const placeholder = /\{\{(\d+)\}\}/g;

/** The placeholder numbers a body uses, e.g. `{{1}} … {{2}}` → [1, 2]. */
export function placeholdersOf(body: string): number[] {
  return [...new Set([...body.matchAll(placeholder)].map((match) => Number(match[1])))].sort((a, b) => a - b);
}

/** Why a body's placeholders are not `{{1}}`…`{{n}}` without gaps, or undefined when they are. */
export function placeholderProblem(body: string): string | undefined {
  const used = placeholdersOf(body);
  const gap = used.findIndex((number, i) => number !== i + 1);
  if (gap === -1) return undefined;
  return `placeholders must be numbered {{1}} to {{n}} without gaps; {{${used[gap]}}} has no {{${gap + 1}}} before it`;
}

/**
 * Fills `{{1}}`…`{{n}}`: the parameters must be exactly the placeholders the body uses (2308),
 * each at most `maxParamLength` characters, and the filled body at most
 * `maxRenderedBodyLength` (2311). The text sent is the header's text, the body, the footer and
 * one line per button, separated by blank lines: a device sends a template as a plain message.
 */
export function renderContent(content: RevisionContent, params: Record<string, string>): RenderOutcome {
  const wanted = new Set(placeholdersOf(content.body).map(String));
  const given = Object.keys(params);
  if (given.length !== wanted.size || given.some((name) => !wanted.has(name))) {
    return {
      ok: false,
      errorCode: StatusErrorCode.TemplateParamCount,
      description: `the template takes ${wanted.size} parameter(s) ({{1}}…{{${wanted.size}}}); ${given.length} given (${given.join(', ') || 'none'})`,
    };
  }
  const tooLong = given.find((name) => [...params[name]!].length > renderLimits.maxParamLength);
  if (tooLong !== undefined) {
    return {
      ok: false,
      errorCode: StatusErrorCode.TemplateParamTooLong,
      description: `parameter ${tooLong} is longer than ${renderLimits.maxParamLength} characters`,
    };
  }
  const body = content.body.replace(placeholder, (_, name: string) => params[name]!);
  if ([...body].length > renderLimits.maxRenderedBodyLength) {
    return {
      ok: false,
      errorCode: StatusErrorCode.TemplateParamTooLong,
      description: `the parameters make the body longer than ${renderLimits.maxRenderedBodyLength} characters`,
    };
  }
  const parts = [
    content.header?.format === 'text' ? content.header.text : undefined,
    body,
    content.footer,
    (content.buttons ?? []).map(buttonLine).join('\n') || undefined,
  ];
  return { ok: true, text: parts.filter((part) => part !== undefined && part !== '').join('\n\n') };
}

function buttonLine(button: NonNullable<RevisionContent['buttons']>[number]): string {
  if (button.type === 'url') return `${button.text}: ${button.url}`;
  if (button.type === 'phone') return `${button.text}: ${button.phoneNumber}`;
  return `[${button.text}]`;
}
