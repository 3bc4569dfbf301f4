import { JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** "stream not found". */
const STREAM_NOT_FOUND = 10059;

/**
 * Deletes a JetStream stream, for tests and benchmarks that made their own (an absent stream
 * is not an error). Production streams are never deleted by wagate.
 */
export async function deleteJetStreamStream(servers: string | string[], streamName: string): Promise<void> {
  const nc = await connect({ servers, name: 'wagate-admin' });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(streamName).catch((error: unknown) => {
      if (!(error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND)) throw error;
    });
  } finally {
    await nc.close();
  }
}
