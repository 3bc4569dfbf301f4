import { expect } from 'vitest';
import type { TestGateway } from './gateway.js';

export interface TemplateBody {
  id: string;
  languages: Array<{
    languageCode: string;
    latest: { revision: number; status: string; body: string };
    serving: { revision: number; status: string; body: string } | null;
  }>;
}

/** Any `/v1` call with a JSON body, answered as JSON (or null for 204). */
export async function call(
  t: TestGateway,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await t.request(path, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

const supervisorKeys = new WeakMap<TestGateway, Promise<string>>();

/**
 * A call of the demo account's supervisor: the platform key, on behalf of the demo account
 * (`?accountId=`), as template reviews and the window policy need.
 */
export async function callAsSupervisor(t: TestGateway, method: string, path: string, body?: unknown) {
  let key = supervisorKeys.get(t);
  if (!key) {
    key = t.platformKey();
    supervisorKeys.set(t, key);
  }
  const separator = path.includes('?') ? '&' : '?';
  return call(t, method, `${path}${separator}accountId=${t.accountId}`, body, {
    authorization: `Key ${await key}`,
  });
}

/** Reviews a template of the demo account as its supervisor. */
export function review(t: TestGateway, templateId: string, decision: Record<string, unknown>) {
  return callAsSupervisor(t, 'POST', `/v1/templates/${templateId}/review`, decision);
}

/** Submits the template and approves each of `languages`, as a reviewer would. */
export async function approve(
  t: TestGateway,
  templateId: string,
  languages: string[],
): Promise<TemplateBody> {
  expect((await call(t, 'POST', `/v1/templates/${templateId}/submit`)).status).toBe(200);
  let template: TemplateBody | undefined;
  for (const languageCode of languages) {
    const reviewed = await review(t, templateId, { languageCode, decision: 'approve' });
    expect(reviewed.status).toBe(200);
    template = reviewed.body;
  }
  return template!;
}

/** Creates a template through `/v1` and approves every language it has. */
export async function approvedTemplate(
  t: TestGateway,
  create: {
    name: string;
    category?: string;
    defaultLanguage?: string;
    languages: Array<{ languageCode: string; body: string }>;
  },
): Promise<string> {
  const created = await call(t, 'POST', '/v1/templates', { category: 'utility', ...create });
  expect(created.status).toBe(201);
  await approve(
    t,
    created.body.id,
    create.languages.map((language) => language.languageCode),
  );
  return created.body.id;
}
