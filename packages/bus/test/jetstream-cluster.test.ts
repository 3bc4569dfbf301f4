import { randomBytes, randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type NatsCluster, startNatsCluster } from '@wagate/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJetStreamBus } from '../src/index.js';
import { sleep, waitFor } from './polling.js';

// A three-node cluster of the machine's nats-server (2.9) on its own loopback ports: stream
// replicas and limits come from the bus's settings, and a replicated stream keeps working when
// a node dies.
describe('the JetStream bus on a three-node cluster', () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const names = () => {
    const suffix = randomBytes(4).toString('hex');
    return { streamName: `WAGATE_R_${suffix.toUpperCase()}`, subjectPrefix: `wagate_r_${suffix}` };
  };

  async function streamInfo(streamName: string) {
    const nc = await connect({ servers: cluster.clientUrls });
    try {
      return await (await jetstreamManager(nc)).streams.info(streamName);
    } finally {
      await nc.close();
    }
  }

  async function streamConfig(streamName: string) {
    const info = await streamInfo(streamName);
    // Servers holding a current copy: the leader and every replica that has caught up.
    const current = (info.cluster?.replicas ?? []).filter((replica) => replica.current).map((replica) => replica.name);
    return { ...info.config, peers: new Set([info.cluster?.leader, ...current].filter(Boolean)).size };
  }

  test('keeps one replica unless told, so a single server keeps working', { timeout: 60_000 }, async () => {
    const stream = names();
    const bus = await createJetStreamBus({ servers: cluster.clientUrls, ...stream });
    await bus.close();
    expect((await streamConfig(stream.streamName)).num_replicas).toBe(1);
  });

  test('creates the stream with the configured replicas and limits, and raises the replicas of an existing one', { timeout: 60_000 }, async () => {
    const stream = names();
    const single = await createJetStreamBus({ servers: cluster.clientUrls, ...stream });
    await single.close();

    const replicated = await createJetStreamBus({
      servers: cluster.clientUrls,
      ...stream,
      stream: { replicas: 3, maxAgeMs: 3_600_000, maxBytes: 64 * 1024 * 1024 },
    });
    await replicated.close();
    const config = await streamConfig(stream.streamName);
    expect(config.num_replicas).toBe(3);
    expect(config.max_bytes).toBe(64 * 1024 * 1024);
    expect(config.max_age).toBe(3_600_000 * 1_000_000);
    // The two new copies catch up in the background; wait until all three servers hold one.
    let peers = config.peers;
    for (let attempt = 0; peers < 3 && attempt < 150; attempt += 1) {
      await sleep(200);
      peers = (await streamConfig(stream.streamName)).peers;
    }
    expect(peers).toBe(3);
  });

  test('an R3 stream loses nothing when a node is killed and comes back', { timeout: 120_000 }, async () => {
    const stream = names();
    const bus = await createJetStreamBus({ servers: cluster.clientUrls, ...stream, stream: { replicas: 3 } });
    const received = new Set<string>();
    await bus.consume({ topic: 'events', group: 'survivors', handler: async (delivery) => void received.add(delivery.id) });
    const ids = Array.from({ length: 60 }, () => randomUUID());
    const publish = async (id: string) => {
      // A publish in flight when its server dies fails; the outbox's answer is to publish again
      // with the same id, which the stream's dedup window absorbs.
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await bus.publish({ topic: 'events', id, key: id, data: {} });
        } catch (error) {
          if (attempt === 100) throw error;
          await sleep(200);
        }
      }
    };
    for (const id of ids.slice(0, 20)) await publish(id);
    // The stream's leader: with one replica, the only server holding it, so publishing would
    // fail until it came back; with three, another server takes over within seconds.
    const leader = await cluster.streamLeader(stream.streamName);
    expect(leader).toBeGreaterThanOrEqual(0);
    await cluster.kill(leader);
    for (const id of ids.slice(20, 40)) await publish(id);
    await cluster.restart(leader);
    for (const id of ids.slice(40)) await publish(id);
    await waitFor('every message consumed', () => received.size === ids.length, 90_000);
    expect([...received].sort()).toEqual([...ids].sort());
    await bus.close();
  });
});
