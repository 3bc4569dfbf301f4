/**
 * The template the template-send cases use, through the target's own /v1 API: created and
 * submitted with the demo key, approved with the platform key the target made, as a tenant and
 * its reviewer would.
 */
export async function createBenchTemplate(target: {
  url: string;
  apiKey: string;
  accountId?: string;
  supervisorKey?: string;
}): Promise<string> {
  const call = async (method: string, path: string, body: unknown, key = target.apiKey) => {
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { id?: string };
    if (!response.ok)
      throw new Error(`${method} ${path} got HTTP ${response.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const { id } = await call('POST', '/v1/templates', {
    name: `bench_otp_${Date.now()}`,
    category: 'authentication',
    languages: [{ languageCode: 'en', body: 'Code: {{1}}' }],
  });
  await call('POST', `/v1/templates/${id}/submit`, {});
  if (!target.supervisorKey || !target.accountId) throw new Error('the target gave no reviewer key');
  await call(
    'POST',
    `/v1/templates/${id}/review?accountId=${target.accountId}`,
    { languageCode: 'en', decision: 'approve' },
    target.supervisorKey,
  );
  return id!;
}
