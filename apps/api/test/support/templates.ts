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

/** Submits the template and approves each of `languages`, as a reviewer would. */
export async function approve(
  t: TestGateway,
  templateId: string,
  languages: string[],
): Promise<TemplateBody> {
  expect((await call(t, 'POST', `/v1/templates/${templateId}/submit`)).status).toBe(200);
  let template: TemplateBody | undefined;
  for (const languageCode of languages) {
    const review = await call(t, 'POST', `/v1/templates/${templateId}/review`, {
      languageCode,
      decision: 'approve',
    });
    expect(review.status).toBe(200);
    template = review.body;
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
