import { StatusErrorCode } from '@wagate/errors';

export type RenderOutcome = { ok: true; text: string } | { ok: false; errorCode: number; description: string };

const placeholder = /\{\{(\d+)\}\}/g;

/** Fills `{{1}}`…`{{n}}`; the parameters must be exactly the placeholders the body uses (2308). */
export function renderBody(body: string, params: Record<string, string>): RenderOutcome {
  const wanted = new Set([...body.matchAll(placeholder)].map((match) => match[1]!));
  const given = Object.keys(params);
  if (given.length !== wanted.size || given.some((name) => !wanted.has(name))) {
    return {
      ok: false,
      errorCode: StatusErrorCode.TemplateParamCount,
      description: `the template takes ${wanted.size} parameter(s), ${given.length} given`,
    };
  }
  return { ok: true, text: body.replace(placeholder, (_, name: string) => params[name]!) };
}
