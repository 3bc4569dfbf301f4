import { freePort, peerHealthCheck, type ServiceIdentity } from '@wagate/rpc';
import {
  type CallbackReceiver,
  type ProductionRuntime,
  type ProductionService,
  type PrometheusServer,
  prometheusTool,
  startCallbackReceiver,
  startProductionRuntime,
  startPrometheus,
} from '@wagate/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/**
 * What an SRE sees, shown against a real Prometheus (Debian's binary) scraping every admin
 * port of the production runtime: messages by status, refusals by rule and code, devices by
 * state after a quarantine. `.ci/run` installs the package and sets WAGATE_REQUIRE_PROMETHEUS=1;
 * elsewhere, without the binary, this file is skipped.
 */
const prometheusInstalled = prometheusTool('prometheus') !== undefined;
if (!prometheusInstalled) {
  console.warn('prometheus.e2e: skipped, /usr/bin/prometheus is missing (apt-get install prometheus)');
}

let runtime: ProductionRuntime;
let prometheus: PrometheusServer;
let receiver: CallbackReceiver;

beforeAll(async () => {
  if (!prometheusInstalled) return;
  receiver = await startCallbackReceiver();
  runtime = await startProductionRuntime({
    // Pacing protects real numbers; the simulated phone may send back to back.
    extra: {
      fleet: {
        WAGATE_PACING_NEW_CONTACT_GAP_MS: '0',
        WAGATE_PACING_KNOWN_CONTACT_GAP_MS: '0',
        WAGATE_PACING_DAILY_NEW_CONTACTS: '1000',
      },
    },
  });
  prometheus = await startPrometheus({ port: await freePort(), targets: runtime.admin });
});

afterAll(async () => {
  await prometheus?.stop();
  await runtime?.close();
  await receiver?.close();
});

const call = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${runtime.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Key ${runtime.wiring.apiKey}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

/** The value Prometheus answers for a query with one series (0 when it answers none). */
async function value(promql: string): Promise<number> {
  const series = await prometheus.query(promql);
  expect(series.length, `${promql} answers ${JSON.stringify(series)}`).toBeLessThanOrEqual(1);
  return series[0]?.value ?? 0;
}
const eventually = { timeout: 60_000, interval: 1_000 };

describe.skipIf(!prometheusInstalled)('a real Prometheus scraping the production runtime', () => {
  test('every process is scraped and ready, and every gRPC server answers grpc.health.v1', async () => {
    const services = Object.keys(runtime.admin) as ProductionService[];
    await expect.poll(() => value('count(up == 1)'), eventually).toBe(services.length);
    for (const service of services) {
      const ready = await fetch(`http://${runtime.admin[service]}/readyz`);
      expect(ready.status, `${service}: ${await ready.clone().text()}`).toBe(200);
    }
    const asApi = await runtime.clientSecurity('api');
    for (const [name, address] of Object.entries(runtime.grpc) as Array<[ServiceIdentity, string]>) {
      await expect(peerHealthCheck(name, address, asApi).check()).resolves.toBeUndefined();
    }
  });

  test('sent, failed and refused messages move their series; a quarantine moves the device series', async () => {
    // A recipient on the opt-out list is refused by policy (2302); a number without WhatsApp
    // fails on the device (the simulated phone's numbers ending 0000: 2305); others are sent.
    expect((await call('/v1/opt-outs/79034560001', { method: 'PUT', body: {} })).status).toBe(200);
    const sent = await call('/whatsapp/messages', {
      method: 'POST',
      body: {
        messages: [
          { from: 'MyCompany', to: '79034560002', text: 'Metrics 1', callbackUrl: receiver.url },
          { from: 'MyCompany', to: '79034560003', text: 'Metrics 2', callbackUrl: receiver.url },
          { from: 'MyCompany', to: '79034560000', text: 'Metrics 3', callbackUrl: receiver.url },
          { from: 'MyCompany', to: '79034560001', text: 'Metrics 4', callbackUrl: receiver.url },
          { from: 'Unknown Sender', to: '79034560004', text: 'Metrics 5' },
        ],
      },
    });
    expect(sent.status).toBe(200);

    await expect
      .poll(() => value('sum(wagate_message_status_transitions_total{status="SENT"})'), eventually)
      .toBe(2);
    await expect
      .poll(
        () => value('sum(wagate_message_status_transitions_total{status="FAILED",error_code="2305"})'),
        eventually,
      )
      .toBe(1);
    await expect
      .poll(() => value('sum(wagate_policy_refusals_total{rule="opt-out",code="2302"})'), eventually)
      .toBe(1);
    expect(await value('sum(wagate_accept_messages_total{result="accepted"})')).toBe(4);
    expect(await value('sum(wagate_accept_messages_total{result="rejected"})')).toBe(1);
    expect(await value('sum(wagate_billing_reserves_total)')).toBe(5);
    await expect.poll(() => value('sum(wagate_billing_captures_total)'), eventually).toBe(2);
    await expect
      .poll(() => value('sum(wagate_webhooks_attempts_total{outcome="delivered"})'), eventually)
      .toBeGreaterThanOrEqual(4);
    expect(
      await value(
        'sum(rpc_server_call_duration_count{rpc_service="wagate.dispatch.v1.DispatchService",rpc_method="Accept"})',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await value('sum(http_server_request_duration_count{http_route="/whatsapp/messages"})'),
    ).toBeGreaterThanOrEqual(1);
    expect(await value('sum(wagate_message_accept_to_sent_seconds_count)')).toBe(2);
    expect(await value('max(wagate_billing_ledger_imbalance_minor)')).toBe(0);
    // Every consumer group has worked off what was published: no lag left.
    expect(await value('count(wagate_bus_consumer_pending)')).toBeGreaterThanOrEqual(3);
    await expect.poll(() => value('sum(wagate_bus_consumer_pending)'), eventually).toBe(0);

    await expect
      .poll(() => value('sum(wagate_fleet_devices{state="online",admin_state="active"})'), eventually)
      .toBe(1);
    const devices = (await (await call('/v1/devices')).json()) as { data: Array<{ deviceId: string }> };
    const quarantine = await call(`/v1/devices/${devices.data[0]!.deviceId}/quarantine`, {
      method: 'POST',
      body: { reason: 'metrics test' },
    });
    expect(quarantine.status).toBe(200);
    await expect
      .poll(() => value('sum(wagate_fleet_devices{state="online",admin_state="quarantined"})'), eventually)
      .toBe(1);
    expect(await value('sum(wagate_fleet_devices{state="online",admin_state="active"})')).toBe(0);

    // With the only device quarantined, a new message waits: the queue series shows it.
    await call('/whatsapp/messages', {
      method: 'POST',
      body: { messages: [{ from: 'MyCompany', to: '79034560005', text: 'Metrics 6' }] },
    });
    await expect.poll(() => value('sum(wagate_fleet_queue_depth)'), eventually).toBe(1);
    await expect
      .poll(() => value('max(wagate_fleet_oldest_queued_age_seconds)'), eventually)
      .toBeGreaterThan(0);
  });
});
