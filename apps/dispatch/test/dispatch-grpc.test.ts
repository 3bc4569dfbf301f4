import { createMemoryBus } from '@wagate/bus';
import { dispatch } from '@wagate/contracts';
import { withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import {
  ClientError,
  closeGrpcChannels,
  freePort,
  grpcClient,
  PLAINTEXT_LOOPBACK,
  Status,
  startLoopbackGrpcServer,
} from '@wagate/rpc';
import { afterAll, describe, expect, test } from 'vitest';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { startDispatch } from '../src/dispatch-service.js';
import { embeddedSecretKeys } from '../src/webhooks/secret-keys.js';
import { messageRow } from './support/message-rows.js';

afterAll(() => closeGrpcChannels());

describe.each(databaseAdapters())('dispatch over gRPC on $name', (adapter) => {
  test('lists messages and keeps webhook settings, answering bad input with INVALID_ARGUMENT', async () => {
    const database = await adapter.open();
    const bus = createMemoryBus();
    // Fleet is only asked on Accept, which this test does not call.
    const service = await startDispatch({
      database,
      bus,
      fleetAddress: `127.0.0.1:${await freePort()}`,
      internalPlane: PLAINTEXT_LOOPBACK,
      secretKeys: embeddedSecretKeys(undefined),
    });
    const server = await startLoopbackGrpcServer('internal', [service.grpc], PLAINTEXT_LOOPBACK);
    try {
      const client = grpcClient(dispatch.DispatchServiceDefinition, server.address, PLAINTEXT_LOOPBACK);
      const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
      await db
        .insertInto('messages')
        .values(['4001', '4002', '4003'].map((id) => messageRow({ id, accountId: 'acc_wire' })))
        .execute();

      const first = await client.listMessages({ accountId: 'acc_wire', limit: 2 });
      expect(first.messages.map((m) => m.message?.messageId)).toEqual(['4003', '4002']);
      const second = await client.listMessages({ accountId: 'acc_wire', limit: 2, cursor: first.nextCursor });
      expect(second.messages.map((m) => m.message?.messageId)).toEqual(['4001']);
      expect(second.nextCursor).toBe('');
      await expect(client.listMessages({ accountId: 'acc_wire', cursor: 'garbage!' })).rejects.toSatisfy(
        (error) =>
          error instanceof ClientError &&
          error.code === Status.INVALID_ARGUMENT &&
          error.details.includes('cursor'),
      );

      expect((await client.getWebhookSettings({ accountId: 'acc_wire' })).settings).toMatchObject({
        statusUrl: '',
        updatedAtMs: '0',
      });
      await client.setWebhookSettings({
        accountId: 'acc_wire',
        statusUrl: 'https://hooks.example.com/status',
      });
      expect((await client.getWebhookSettings({ accountId: 'acc_wire' })).settings?.statusUrl).toBe(
        'https://hooks.example.com/status',
      );
      await expect(
        client.setWebhookSettings({ accountId: 'acc_wire', statusUrl: 'not a url' }),
      ).rejects.toSatisfy((error) => error instanceof ClientError && error.code === Status.INVALID_ARGUMENT);
    } finally {
      await server.shutdown();
      await service.stop();
      await bus.close();
      await database.close();
    }
  });
});
