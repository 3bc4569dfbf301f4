import { describe, expect, test } from 'vitest';
import { openBus } from '../src/index.js';

describe('openBus', () => {
  test('memory:// opens the in-process bus', async () => {
    const bus = await openBus('memory://');
    expect(bus.kind).toBe('memory');
    await bus.close();
  });

  test('nats:// goes to JetStream (seen by its connection error, to leave the real stream alone)', async () => {
    const error = await openBus('nats://127.0.0.1:1,nats://127.0.0.1:2').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toMatch(/unsupported bus URL/);
  });

  test('an unknown scheme names the URL and the accepted forms, without the password', async () => {
    await expect(openBus('amqp://user:secret@broker:5672')).rejects.toThrow(
      'unsupported bus URL "amqp://user:***@broker:5672": expected memory://, nats://host:port[,…] or tls://host:port[,…]',
    );
  });

  test('tls:// goes to JetStream too, requiring TLS', async () => {
    const error = await openBus('tls://127.0.0.1:1').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toMatch(/unsupported bus URL/);
  });

  test('a server list must be nats:// or tls:// URLs only', async () => {
    await expect(openBus('nats://a:4222,http://b:4222')).rejects.toThrow(/unsupported bus URL/);
  });
});
