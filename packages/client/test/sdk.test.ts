import { describe, expect, test } from 'vitest';
import {
  createWagateClient,
  paginate,
  parseIncomingMessage,
  parseStatusCallbacks,
  signWebhook,
  unwrap,
  verifyWebhook,
  WagateApiError,
} from '../src/index.js';
import { startServer } from './support-server.js';

const OK = { status: 200, body: { result: [{ code: 'OK', messageId: '120117657600000' }] } };
const message = { from: 'MyCompany', to: '79034567890', text: 'Code: 1234' };

describe('retries', () => {
  test('a send call gets one generated Idempotency-Key, the same on every attempt', async () => {
    const server = await startServer((_request, index) => (index < 2 ? { status: 503, body: {} } : OK));
    try {
      const client = createWagateClient(server.url, 'wag_key', { retryDelayMs: 1 });
      const { result } = await unwrap(client.POST('/whatsapp/messages', { body: { messages: [message] } }));
      expect(result).toEqual(OK.body.result);
      const keys = server.seen.map((request) => request.headers['idempotency-key']);
      expect(keys).toHaveLength(3);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Set(keys).size).toBe(1);
      expect(server.seen.every((request) => request.body === server.seen[0]!.body)).toBe(true);
      expect(server.seen[0]!.headers.authorization).toBe('Key wag_key');
    } finally {
      await server.close();
    }
  });

  test('a key the caller gives is kept; a 409 conflict is not retried', async () => {
    const conflict = {
      code: 'REJECTED',
      reasons: [{ key: 'idempotency.conflict' }],
      description: 'other body',
    };
    const server = await startServer(() => ({ status: 409, body: conflict }));
    try {
      const client = createWagateClient(server.url, 'wag_key', { retryDelayMs: 1 });
      const call = client.POST('/whatsapp/messages', {
        body: { messages: [message] },
        headers: { 'idempotency-key': 'order-42' },
      });
      const error = await unwrap(call).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WagateApiError);
      expect(error).toMatchObject({ status: 409, key: 'idempotency.conflict', ref: undefined });
      expect(server.seen.map((request) => request.headers['idempotency-key'])).toEqual(['order-42']);
    } finally {
      await server.close();
    }
  });

  test('a POST without an Idempotency-Key is sent once, whatever the answer', async () => {
    const server = await startServer(() => ({ status: 503, body: {} }));
    try {
      const client = createWagateClient(server.url, 'wag_key', { retryDelayMs: 1 });
      const { response } = await client.POST('/v1/webhooks/secret/rotate');
      expect(response.status).toBe(503);
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

test('errors carry the contract key and ref', async () => {
  const body = {
    code: 'REJECTED',
    reasons: [{ key: 'not.found', ref: 'messageId' }],
    description: 'no such message',
  };
  const server = await startServer(() => ({ status: 404, body }));
  try {
    const client = createWagateClient(server.url, 'wag_key');
    const error = await unwrap(
      client.GET('/v1/messages/{messageId}', { params: { path: { messageId: '1' } } }),
    ).catch((caught: unknown) => caught as WagateApiError);
    expect(error).toMatchObject({
      status: 404,
      key: 'not.found',
      ref: 'messageId',
      description: 'no such message',
    });
    expect(server.seen).toHaveLength(1);
  } finally {
    await server.close();
  }
});

test('paginate follows nextCursor to the end', async () => {
  const pages: Record<string, { data: Array<{ name: string }>; nextCursor: string | null }> = {
    '': { data: [{ name: 'a' }, { name: 'b' }], nextCursor: 'c1' },
    c1: { data: [{ name: 'c' }], nextCursor: 'c2' },
    c2: { data: [], nextCursor: null },
  };
  const server = await startServer((request) => ({
    status: 200,
    body: pages[new URL(request.url, 'http://x').searchParams.get('cursor') ?? '']!,
  }));
  try {
    const client = createWagateClient(server.url, 'wag_key');
    const names: string[] = [];
    for await (const sender of paginate((cursor) =>
      unwrap(client.GET('/v1/senders', { params: { query: { ...(cursor && { cursor }) } } })),
    )) {
      names.push(sender.name);
    }
    expect(names).toEqual(['a', 'b', 'c']);
  } finally {
    await server.close();
  }
});

describe('webhooks', () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  // Two ids a double cannot tell apart, as ids issued before 2026-12-06 were.
  const body =
    '[{"messageId":118626985453813760,"status":"SENT"},{"messageId": 118626985453813761,"status":"SENT"}]';
  const nowMs = 1_800_000_000_000;
  const headers = {
    'webhook-id': 'cb_1',
    'webhook-timestamp': String(nowMs / 1000),
    'webhook-signature': signWebhook(secret, 'cb_1', nowMs / 1000, body),
  };

  test('verifyWebhook accepts the signed body and refuses a changed one, another secret or an old one', () => {
    expect(verifyWebhook(secret, headers, body, { nowMs })).toBe(true);
    expect(verifyWebhook(secret, new Headers(headers), body, { nowMs })).toBe(true);
    expect(verifyWebhook(secret, headers, body.replace('SENT', 'READ'), { nowMs })).toBe(false);
    expect(verifyWebhook(`whsec_${Buffer.alloc(32, 8).toString('base64')}`, headers, body, { nowMs })).toBe(
      false,
    );
    expect(verifyWebhook(secret, headers, body, { nowMs: nowMs + 301_000 })).toBe(false);
  });

  test('the parsers keep ids exact where JSON.parse does not', () => {
    const plain = (JSON.parse(body) as Array<{ messageId: number }>).map((s) => s.messageId);
    expect(plain[0]).toBe(plain[1]);
    expect(parseStatusCallbacks(body).map((status) => status.messageId)).toEqual([
      '118626985453813760',
      '118626985453813761',
    ]);
    const incoming = parseIncomingMessage(
      '{"incomingMessageId":118626985453813761,"to":"79990000001","from":"79034567890","ts":1,"text":"\\"messageId\\":5","profileName":""}',
    );
    expect(incoming).toMatchObject({ incomingMessageId: '118626985453813761', text: '"messageId":5' });
  });
});
