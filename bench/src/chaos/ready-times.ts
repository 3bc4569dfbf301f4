/**
 * How long a service of the production runtime takes to be ready again after a SIGKILL: from
 * the new process's spawn to its "listening" line (the device agent: to the fleet's welcome),
 * started from the TypeScript source (tsx) and from the bundle (`npm run build`).
 * Usage: npm run chaos:ready (builds first). Prints a table and the machine's load.
 */
import { loadavg } from 'node:os';
import {
  freshPostgresUrl,
  isolatedBusNames,
  natsUrl,
  PRODUCTION_SERVICES,
  type ServiceEntry,
  startProductionRuntime,
} from '@wagate/testkit';

const ROUNDS = Number(process.env.WAGATE_READY_ROUNDS ?? 3);

async function measure(entry: ServiceEntry): Promise<Record<string, number[]>> {
  const database = await freshPostgresUrl();
  const runtime = await startProductionRuntime({
    databaseUrl: database.url,
    natsUrl: natsUrl(),
    bus: isolatedBusNames(),
    apiKey: 'wag_ready_times_key_0123456789',
    enrolmentToken: 'ready-times-token',
    entry,
  });
  const times: Record<string, number[]> = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const service of PRODUCTION_SERVICES) {
        await runtime.stop(service, 'SIGKILL');
        const readyMs = await runtime.start(service);
        times[service] = [...(times[service] ?? []), readyMs];
      }
    }
  } finally {
    await runtime.close();
    await database.drop();
  }
  return times;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

console.log(`ready after a SIGKILL, ms (median of ${ROUNDS}; spawn → serving); load before: ${load()}`);
const source = await measure('source');
const bundle = await measure('bundle');
console.log(`| service | from source (tsx) | from bundle (dist/main.js) |`);
console.log(`|---|---|---|`);
for (const service of PRODUCTION_SERVICES) {
  console.log(
    `| ${service} | ${median(source[service]!)} (${source[service]!.join(', ')}) | ${median(bundle[service]!)} (${bundle[service]!.join(', ')}) |`,
  );
}
console.log(`load after: ${load()}`);
