import { describe, expect, test } from 'vitest';
import { generateWebhookSecret, verifyWebhook, webhookHeaders } from '../src/webhooks/signature.js';

describe('webhook signatures', () => {
  const body = '[{"messageId":118626985453813760,"status":"SENT"}]';

  test('a delivery verifies with its secret; a tampered body, another secret or an old timestamp do not', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = webhookHeaders([secret], 'cb_1', body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifyWebhook(secret, headers, body)).toBe(true);
    expect(verifyWebhook(secret, new Headers(headers), body)).toBe(true);
    expect(verifyWebhook(secret, headers, body.replace('SENT', 'READ'))).toBe(false);
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': 'cb_2' }, body)).toBe(false);
    expect(verifyWebhook(generateWebhookSecret(), headers, body)).toBe(false);
    expect(verifyWebhook(secret, headers, body, { nowMs: Date.now() + 10 * 60_000 })).toBe(false);
    expect(verifyWebhook(secret, {}, body)).toBe(false);
  });

  test('during a rotation both the new and the previous secret verify', () => {
    const previous = generateWebhookSecret();
    const next = generateWebhookSecret();
    const headers = webhookHeaders([next, previous], 'cb_7', body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(next, headers, body)).toBe(true);
    expect(verifyWebhook(previous, headers, body)).toBe(true);
    expect(verifyWebhook(generateWebhookSecret(), headers, body)).toBe(false);
  });
});
