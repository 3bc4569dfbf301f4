/**
 * One billing replica for `npm run bench:billing`: billing's service on the bench's PostgreSQL
 * database and NATS stream, its gRPC server on a free loopback port (plaintext: the cost of
 * mutual TLS is measured by `npm run bench`, not here). Prints one line
 * `{"ready":true,"address":…}` and stops on SIGTERM.
 */
import type { startBilling as StartBilling } from '@wagate/billing';
import { openBus } from '@wagate/bus';
import { openPostgres } from '@wagate/db';
import { PLAINTEXT_LOOPBACK, startLoopbackGrpcServer } from '@wagate/rpc';

const database = openPostgres(process.env.DATABASE_URL!, { maxConnections: 20 });
const bus = await openBus(process.env.NATS_URL!, {
  streamName: process.env.NATS_STREAM!,
  subjectPrefix: process.env.NATS_SUBJECT_PREFIX!,
});
// BENCH_BILLING_SOURCE: billing's source of an earlier commit (the runner's baseline), else this tree's.
const source = process.env.BENCH_BILLING_SOURCE;
const { startBilling } = (await import(source ? `${source}/index.ts` : '@wagate/billing')) as {
  startBilling: typeof StartBilling;
};
const billing = await startBilling({ database, bus });
const server = await startLoopbackGrpcServer('internal', [billing.grpc], PLAINTEXT_LOOPBACK);
process.stdout.write(`${JSON.stringify({ ready: true, address: server.address, pid: process.pid })}\n`);

const stop = async () => {
  await server.shutdown();
  await billing.stop();
  await bus.close();
  await database.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
// The runner's death ends the replica too (its stdin is the runner's pipe).
process.stdin.on('end', () => void stop());
process.stdin.resume();
