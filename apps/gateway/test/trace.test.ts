import { type ReadableSpan, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createWagateClient } from '@wagate/client';
import { initTelemetry, type Telemetry } from '@wagate/telemetry';
import { type CallbackReceiver, startCallbackReceiver } from '@wagate/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type EmbeddedGateway, startEmbeddedGateway } from '../src/embedded-gateway.js';

const apiKey = 'wag_trace_test_key_0123456789';
const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let gateway: EmbeddedGateway;
let receiver: CallbackReceiver;

beforeAll(async () => {
  telemetry = initTelemetry({
    serviceName: 'wagate-test',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  receiver = await startCallbackReceiver();
  gateway = await startEmbeddedGateway({ port: 0, apiKey });
});

afterAll(async () => {
  await gateway?.stop();
  await receiver?.close();
  await telemetry?.shutdown();
});

function chainOf(span: ReadableSpan, spans: ReadableSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const names: string[] = [];
  for (let current: ReadableSpan | undefined = span; current; ) {
    names.unshift(current.name);
    const parentId: string | undefined = current.parentSpanContext?.spanId;
    current = parentId ? byId.get(parentId) : undefined;
    if (parentId && !current) names.unshift(`<missing parent ${parentId}>`);
  }
  return names;
}

test('one message is one trace from the api through dispatch, fleet and the device agent back to its callback', async () => {
  const { response } = await createWagateClient(gateway.url, apiKey).POST('/whatsapp/messages', {
    body: {
      messages: [{ from: 'MyCompany', to: '79034567890', text: 'Code: 1234', callbackUrl: receiver.url }],
    },
  });
  expect(response.status).toBe(200);
  await receiver.waitFor(3, 30_000);
  await expect
    .poll(() => exporter.getFinishedSpans().filter((s) => s.name === 'dispatch.callback.deliver').length)
    .toBe(3);

  const spans = exporter.getFinishedSpans();
  const root = spans.find((s) => s.name === 'api.POST /whatsapp/messages');
  expect(root).toBeDefined();
  const traceId = root!.spanContext().traceId;
  const sentCallback = spans.find(
    (s) => s.name === 'dispatch.callback.deliver' && s.spanContext().traceId === traceId,
  );
  expect(sentCallback, 'the callback delivery continues the request trace').toBeDefined();

  const chain = chainOf(sentCallback!, spans);
  expect(chain[0]).toBe('api.POST /whatsapp/messages');
  // Each hop appears in order: gRPC into dispatch, the bus to fleet, the stream to the agent,
  // the result back to fleet, the bus to dispatch, and the callback.
  const hops = [
    'api.POST /whatsapp/messages',
    '/wagate.dispatch.v1.DispatchService/Accept',
    'fleet.enqueue-job',
    'device-agent.send',
    'fleet.record-result',
    'dispatch.record-status',
    'dispatch.callback.deliver',
  ];
  const positions = hops.map((hop) => chain.findIndex((name) => name.includes(hop.replace(/^\//, ''))));
  expect(
    positions.every((p) => p >= 0),
    `chain was: ${chain.join(' → ')}`,
  ).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  expect(chain.some((name) => name.startsWith('<missing'))).toBe(false);
});

test('every span of a request, in every service, names its account (the device agent excepted)', async () => {
  const roots = () => exporter.getFinishedSpans().filter((s) => s.name === 'api.POST /whatsapp/messages');
  const before = roots().length;
  const { response } = await createWagateClient(gateway.url, apiKey).POST('/whatsapp/messages', {
    body: {
      messages: [{ from: 'MyCompany', to: '79034567891', text: 'Tenant check', callbackUrl: receiver.url }],
    },
  });
  expect(response.status).toBe(200);
  const requestId = response.headers.get('x-request-id');
  expect(requestId, 'each response names its request id').toMatch(/^[\w.:-]+$/);
  await expect.poll(() => roots().length).toBe(before + 1);
  const root = roots()[before]!;
  const traceId = root.spanContext().traceId;
  const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  await expect
    .poll(() => inTrace().filter((s) => s.name === 'dispatch.callback.deliver').length, { timeout: 30_000 })
    .toBe(3);
  // The agent runs on the device host and is told nothing about accounts; the API key lookup
  // (made only when the key is not cached) is what finds the account, so it cannot name it.
  const spans = inTrace().filter(
    (s) => !s.name.startsWith('device-agent.') && !s.name.endsWith('/AuthenticateKey'),
  );
  const unnamed = spans
    .filter((s) => s.attributes['wagate.account_id'] !== gateway.accountId)
    .map((s) => s.name);
  expect(unnamed).toEqual([]);
  expect(spans.map((s) => s.name)).toEqual(
    expect.arrayContaining(['fleet.record-result', 'dispatch.record-status', 'billing.settle']),
  );
  expect(root.attributes['wagate.reseller_chain']).toBeDefined();
});

test('single sends made at once share Reserve and Accept calls, and each message still continues its own request trace', async () => {
  const roots = () => exporter.getFinishedSpans().filter((s) => s.name === 'api.POST /whatsapp/messages');
  const before = roots().length;
  const client = createWagateClient(gateway.url, apiKey);
  const sends = Array.from({ length: 16 }, (_, i) =>
    client.POST('/whatsapp/messages', {
      body: { messages: [{ from: 'MyCompany', to: '79034567892', text: `Coalesced ${i}` }] },
    }),
  );
  const messageIds = (await Promise.all(sends)).map(({ data }) => {
    const result = data!.result[0]!;
    if (result.code !== 'OK') throw new Error(`send refused: ${result.description}`);
    return result.messageId;
  });
  await expect.poll(() => roots().length).toBe(before + 16);
  // At least one Accept served several sends (they were made at once) ...
  const coalesced = () =>
    exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'api.accept' && Number(s.attributes['wagate.coalesced_calls'] ?? 1) > 1);
  expect(coalesced().length).toBeGreaterThan(0);
  // ... yet fleet queued each message in the trace of the request that sent it.
  const enqueued = () => exporter.getFinishedSpans().filter((s) => s.name === 'fleet.enqueue-job');
  await expect
    .poll(
      () =>
        messageIds.filter((id) => enqueued().some((s) => s.attributes['wagate.message_id'] === id)).length,
    )
    .toBe(16);
  const requestTraces = new Set(
    roots()
      .slice(before)
      .map((s) => s.spanContext().traceId),
  );
  const messageTraces = messageIds.map(
    (id) =>
      enqueued()
        .find((s) => s.attributes['wagate.message_id'] === id)!
        .spanContext().traceId,
  );
  expect(new Set(messageTraces).size).toBe(16);
  expect(messageTraces.every((traceId) => requestTraces.has(traceId))).toBe(true);
});
