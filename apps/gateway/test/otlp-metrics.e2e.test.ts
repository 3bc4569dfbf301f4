import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@wagate/rpc';
import {
  type FreshPostgres,
  freshPostgresUrl,
  isolatedBusNames,
  natsUrl,
  type ServiceProcess,
  startServiceProcess,
} from '@wagate/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';

/**
 * Metrics also leave over OTLP when the standard variables name an endpoint: a service
 * process (templates) pushes to a local OTLP/HTTP receiver standing in for the collector of
 * deploy/observability/otel-collector.yaml.
 */
const received: Array<{ path: string; contentType: string; body: Buffer }> = [];
let receiver: Server;
let database: FreshPostgres;
let templates: ServiceProcess;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'] ?? '',
        body: Buffer.concat(chunks),
      });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  database = await freshPostgresUrl();
  const bus = isolatedBusNames();
  templates = startServiceProcess('templates', {
    DATABASE_URL: database.url,
    NATS_URL: natsUrl(),
    NATS_STREAM: bus.streamName,
    NATS_SUBJECT_PREFIX: bus.subjectPrefix,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: `${await freePort()}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    OTEL_METRIC_EXPORT_INTERVAL: '500',
  });
  await templates.waitForOutput(/templates listening/);
});

afterAll(async () => {
  await templates?.stop();
  await database?.drop();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

test('with OTEL_EXPORTER_OTLP_ENDPOINT set, a service pushes its metrics as OTLP protobuf to /v1/metrics', async () => {
  const pushed = () => received.filter((request) => request.path === '/v1/metrics');
  // The outbox gauge is read at every export: its name is in the protobuf as plain UTF-8.
  await expect
    .poll(() => pushed().some((request) => request.body.includes('wagate.outbox.pending')), {
      timeout: 30_000,
    })
    .toBe(true);
  expect(pushed()[0]!.contentType).toBe('application/x-protobuf');
  expect(pushed().some((request) => request.body.includes('templates'))).toBe(true);
});
