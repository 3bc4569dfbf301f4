import { randomBytes } from 'node:crypto';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeEach } from 'vitest';
import { createJetStreamBus } from '../src/index.js';
import { runBusContract } from './bus-contract.js';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

// Every test gets its own stream and subject prefix, so no test sees another's messages,
// not even those of a concurrent run.
let stream = { streamName: '', subjectPrefix: '' };
const streamsCreated: string[] = [];
beforeEach(() => {
  const suffix = randomBytes(6).toString('hex');
  stream = { streamName: `WAGATE_TEST_${suffix}`, subjectPrefix: `wagate-test-${suffix}` };
  streamsCreated.push(stream.streamName);
});

afterAll(async () => {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of streamsCreated) {
      // A test that failed before connecting never created its stream.
      await jsm.streams.delete(name).catch((err: unknown) => {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
      });
    }
  } finally {
    await nc.drain();
  }
});

runBusContract('jetstream', () => createJetStreamBus({ servers, ...stream }));
