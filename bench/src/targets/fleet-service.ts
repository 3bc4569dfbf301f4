/**
 * The fleet service alone, on the PostgreSQL database the fleet bench made
 * (`BENCH_FLEET_DATABASE_URL`), paced at `BENCH_FLEET_GAP_MS` per send: what `npm run bench:fleet`
 * measures. Its ready line's `url` is the gRPC address agents connect to.
 */
import { openBus } from '@wagate/bus';
import { Topics } from '@wagate/contracts';
import { openDatabase } from '@wagate/db';
import { startFleet } from '@wagate/fleet';
import { PLAINTEXT_LOOPBACK, startLoopbackGrpcServer } from '@wagate/rpc';
import { BENCH_ACCOUNT, BENCH_ENROLMENT_TOKEN, BENCH_SENDER } from '../fleet/fleet-settings.js';
import { FLEET_APPLICATION_NAME } from '../fleet/process-stats.js';
import { serveTarget } from '../target-child.js';

await serveTarget(async () => {
  const url = process.env.BENCH_FLEET_DATABASE_URL;
  if (!url) throw new Error('BENCH_FLEET_DATABASE_URL is not set: run this through npm run bench:fleet');
  const gapMs = Number(process.env.BENCH_FLEET_GAP_MS ?? 200);
  // Named, so the bench can read its PostgreSQL backends' CPU apart from its own queries'.
  const named = new URL(url);
  named.searchParams.set('application_name', FLEET_APPLICATION_NAME);
  const database = await openDatabase(named.toString());
  const bus = await openBus('memory://');
  const fleet = await startFleet({
    database,
    bus,
    // Every job goes to a new contact: one gap for both, and no daily cap to run into.
    scheduler: {
      pacing: { newContactGapMs: gapMs, knownContactGapMs: gapMs, dailyNewContacts: 1e9, warmup: [] },
      // The baseline run sets 0: offers made when a pass runs, not prepared ahead.
      ...(process.env.BENCH_FLEET_LOOKAHEAD_MS
        ? { lookaheadMs: Number(process.env.BENCH_FLEET_LOOKAHEAD_MS) }
        : {}),
    },
  });
  // Dispatch's part: take the status events, so the in-process bus does not keep them all.
  const statuses = await bus.consume({
    topic: Topics.messageStatus,
    group: 'dispatch',
    handler: async () => {},
  });
  await fleet.ensureDefaultSender(BENCH_ACCOUNT, BENCH_SENDER);
  // The agents enrol with it, as hosts do with WAGATE_ENROLMENT_TOKEN.
  await fleet.ensureBootstrapToken(BENCH_ACCOUNT, BENCH_ENROLMENT_TOKEN);
  const server = await startLoopbackGrpcServer('agent', [fleet.agentGrpc], PLAINTEXT_LOOPBACK);
  const internal = await startLoopbackGrpcServer('internal', [fleet.grpc], PLAINTEXT_LOOPBACK);
  return {
    url: server.address,
    internalUrl: internal.address,
    apiKey: '',
    async stop() {
      await Promise.all([server.shutdown(), internal.shutdown()]);
      await statuses.close();
      await fleet.stop();
      await bus.close();
      await database.close();
    },
  };
});
