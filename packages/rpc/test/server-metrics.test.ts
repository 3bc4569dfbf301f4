import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { grpcServerMetrics, initTelemetry, type Telemetry } from '@wagate/telemetry';
import { createChannel, createClient, createServer, type Server, ServerError, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../src/server.js';

// Any service will do: the health service's Check, answering each way a call can end.
let answer: 'ok' | 'not-found' | 'bug' = 'ok';
let telemetry: Telemetry;
let server: Server;
let scrape: HttpServer;
let address: string;

beforeAll(async () => {
  telemetry = initTelemetry({ serviceName: 'rpc-metrics-test' });
  server = createServer().use(grpcServerMetrics());
  server.add(HealthDefinition, {
    async check() {
      if (answer === 'not-found') throw new ServerError(Status.NOT_FOUND, 'no such service');
      if (answer === 'bug') throw new Error('a bug');
      return { status: 1 };
    },
    async *watch() {},
  });
  address = `127.0.0.1:${await freePort()}`;
  await server.listen(address);
  scrape = createHttpServer(telemetry.metricsHandler);
  await new Promise<void>((resolve) => scrape.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await server?.shutdown();
  await new Promise<void>((resolve) => scrape?.close(() => resolve()));
  await telemetry?.shutdown();
});

test('each call is timed by service, method and gRPC status: OK, an answered error, and a bug (UNKNOWN)', async () => {
  const client = createClient(HealthDefinition, createChannel(address));
  for (const outcome of ['ok', 'not-found', 'bug', 'bug'] as const) {
    answer = outcome;
    await client.check({ service: '' }).catch(() => undefined);
  }
  const text = await (
    await fetch(`http://127.0.0.1:${(scrape.address() as AddressInfo).port}/metrics`)
  ).text();
  const count = (code: number) =>
    Number(
      new RegExp(
        `^rpc_server_call_duration_count\\{[^}]*rpc_service="grpc.health.v1.Health",rpc_method="Check",rpc_grpc_status_code="${code}"[^}]*\\} (\\d+)`,
        'm',
      ).exec(text)?.[1] ?? 0,
    );
  expect([count(Status.OK), count(Status.NOT_FOUND), count(Status.UNKNOWN)]).toEqual([1, 1, 2]);
});
