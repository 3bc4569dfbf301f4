/**
 * `embedded` with metrics on: the OpenTelemetry meter provider registered before the gateway
 * starts (every instrument records, the observable gauges query the database), and its
 * Prometheus endpoint scraped every 5 s — three times as often as deploy/observability's
 * Prometheus does — while the load runs. Tracing stays off, as in `embedded`, so the two rows
 * differ by metrics alone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMetrics } from '@wagate/telemetry';
import { serveTarget } from '../target-child.js';
import { startEmbeddedTarget } from './gateways.js';

const SCRAPE_EVERY_MS = 5_000;

await serveTarget(async () => {
  const metrics = startMetrics();
  const server = createServer(metrics.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scraper = setInterval(() => {
    void fetch(`http://127.0.0.1:${port}/metrics`).then(
      (response) => response.text(),
      () => '',
    );
  }, SCRAPE_EVERY_MS);
  const target = await startEmbeddedTarget({ priced: false });
  return {
    ...target,
    async stop() {
      clearInterval(scraper);
      await target.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await metrics.shutdown();
    },
  };
});
