/**
 * The template the template-send cases use: created and approved through the target's own
 * /v1 API with its demo key (scopes send, read, manage), as a tenant and its reviewer would.
 */
export async function createBenchTemplate(target: { url: string; apiKey: string }): Promise<string> {
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Key ${target.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { id?: string };
    if (!response.ok) throw new Error(`${method} ${path} got HTTP ${response.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const { id } = await call('POST', '/v1/templates', {
    name: `bench_otp_${Date.now()}`,
    category: 'authentication',
    languages: [{ languageCode: 'en', body: 'Code: {{1}}' }],
  });
  await call('POST', `/v1/templates/${id}/submit`, {});
  await call('POST', `/v1/templates/${id}/review`, { languageCode: 'en', decision: 'approve' });
  return id!;
}
