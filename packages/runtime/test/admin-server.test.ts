import { defineInstruments, initTelemetry, observeGauges, type Telemetry } from '@wagate/telemetry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AdminServer, startAdminServer } from '../src/admin-server.js';

// Made at module load, before the telemetry setup exists, as a service's metrics.ts is.
const testMetrics = defineInstruments('admin-test', (meter) => ({
  sends: meter.createCounter('wagate.test.sends', { description: 'test sends' }),
}));

let telemetry: Telemetry;
let admin: AdminServer;
let databaseAnswers = true;

beforeAll(async () => {
  telemetry = initTelemetry({ serviceName: 'admin-test' });
  admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    metrics: telemetry.metricsHandler,
    checks: [
      {
        name: 'database',
        check: async () => {
          if (!databaseAnswers) throw new Error('connection refused');
        },
      },
    ],
  });
});

afterAll(async () => {
  await admin?.close();
  await telemetry?.shutdown();
});

const get = (path: string) => fetch(`${admin.url}${path}`);

describe('admin server', () => {
  test('/metrics serves counters made before the telemetry setup, in the Prometheus text format', async () => {
    testMetrics().sends.add(3, { result: 'accepted' });
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toMatch(/^wagate_test_sends_total\{result="accepted"[^}]*\} 3\b/m);
  });

  test('observable gauges are read at each scrape, and no longer once their owner stops observing', async () => {
    let queued = 5;
    const stop = observeGauges(
      'admin-test',
      { 'wagate.test.queued': { description: 'queued now' } },
      async (record) => record('wagate.test.queued', queued, { sender: 'pool-1' }),
      () => {},
    );
    expect(await (await get('/metrics')).text()).toMatch(/^wagate_test_queued\{sender="pool-1"[^}]*\} 5\b/m);
    queued = 7;
    expect(await (await get('/metrics')).text()).toMatch(/^wagate_test_queued\{sender="pool-1"[^}]*\} 7\b/m);
    stop();
    queued = 9;
    expect(await (await get('/metrics')).text()).not.toMatch(
      /^wagate_test_queued\{sender="pool-1"[^}]*\} 9\b/m,
    );
  });

  test('/livez answers; unknown paths and other methods do not reach the handlers', async () => {
    expect((await get('/livez')).status).toBe(200);
    expect((await get('/nope')).status).toBe(404);
    expect((await fetch(`${admin.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  test('/readyz: 503 starting, 200 once ready while checks pass, 503 naming a failing check, 503 draining', async () => {
    const readyz = async () => {
      const response = await get('/readyz');
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await readyz()).toEqual({ status: 503, body: { status: 'starting' } });
    admin.markReady();
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok' } } });
    databaseAnswers = false;
    expect(await readyz()).toEqual({
      status: 503,
      body: { status: 'unready', checks: { database: 'failed: connection refused' } },
    });
    databaseAnswers = true;
    admin.markDraining();
    expect(await readyz()).toEqual({ status: 503, body: { status: 'draining' } });
    // Draining is final: a late markReady does not send traffic back.
    admin.markReady();
    expect((await readyz()).status).toBe(503);
  });
});
