import { ConfigError, readConfig } from '@wagate/config';
import { describe, expect, test } from 'vitest';
import { apiVariables } from '../src/config.js';

const minimal = { DATABASE_URL: 'postgres://localhost/wagate', NATS_URL: 'nats://localhost:4222' };

describe('the api reads its whole environment once, at start', () => {
  test('callback and media URLs are governed by their own variables', () => {
    const config = readConfig(apiVariables, { ...minimal, WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true' });
    expect(config.WAGATE_ALLOW_LOOPBACK_WEBHOOKS).toBe(true);
    expect(config.WAGATE_ALLOW_LOOPBACK_MEDIA).toBe(false);
    expect(
      readConfig(apiVariables, { ...minimal, WAGATE_ALLOW_PRIVATE_MEDIA: '1' }).WAGATE_ALLOW_PRIVATE_MEDIA,
    ).toBe(true);
  });

  test('refuses a worker id the message ids have no room for, naming it with every other bad variable', () => {
    expect(readConfig(apiVariables, { ...minimal, WAGATE_WORKER_ID: '31' }).WAGATE_WORKER_ID).toBe(31);
    const start = () =>
      readConfig(apiVariables, {
        NATS_URL: minimal.NATS_URL,
        WAGATE_WORKER_ID: '32',
        BILLING_ADDRESS: 'billing',
      });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/WAGATE_WORKER_ID: .*<=31/);
    expect(start).toThrow(/BILLING_ADDRESS: expected host:port/);
    expect(start).toThrow(/DATABASE_URL: required: postgres:\/\/… or pglite:\/\/…/);
  });
});
