import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { expect, test } from 'vitest';
import { deleteJetStreamStream } from '../src/jetstream-admin.js';
import { createJetStreamBus } from '../src/jetstream-bus.js';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

async function streamExists(name: string): Promise<boolean> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    return await jsm.streams.info(name).then(
      () => true,
      () => false,
    );
  } finally {
    await nc.close();
  }
}

test('deletes a stream a test made, and treats an absent one as deleted', async () => {
  const suffix = randomBytes(4).toString('hex');
  const streamName = `WAGATE_ADMIN_${suffix.toUpperCase()}`;
  const bus = await createJetStreamBus({ servers, streamName, subjectPrefix: `admin_${suffix}` });
  await bus.publish({ topic: 'x', id: '1', key: 'k', data: {} });
  await bus.close();
  expect(await streamExists(streamName)).toBe(true);
  await deleteJetStreamStream(servers, streamName);
  expect(await streamExists(streamName)).toBe(false);
  await expect(deleteJetStreamStream(servers, streamName)).resolves.toBeUndefined();
});
