import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Docker does not run on the machines this was written on, so compose itself never parsed this
// file here: these checks hold it to what it promises (deploy/docker-compose.yml's header).
const composeFile = fileURLToPath(new URL('../docker-compose.yml', import.meta.url));
const text = readFileSync(composeFile, 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const WAGATE = ['api', 'billing', 'templates', 'dispatch', 'fleet'];

describe('deploy/docker-compose.yml', () => {
  it('gives every secret no default: each is required, with a message naming it', () => {
    const references = [...text.matchAll(/\$\{(WAGATE_[A-Z_]+)(:[?-][^}]*)?\}/g)];
    const secrets = new Set(references.map(([, name]) => name));
    expect([...secrets].sort()).toEqual(['WAGATE_DEV_API_KEY', 'WAGATE_ENROLMENT_TOKEN', 'WAGATE_NATS_PASSWORD', 'WAGATE_POSTGRES_PASSWORD', 'WAGATE_SECRET_KEYS']);
    for (const [reference, name, modifier] of references) {
      // `${X:-default}` would start with a known secret; `${X:?message}` refuses to start.
      expect(modifier?.startsWith(':-'), reference).not.toBe(true);
      if (modifier) expect(modifier, reference).toContain(`set ${name}`);
    }
    // The first use of each secret carries the message (compose reports the first it meets).
    for (const name of secrets) expect(text).toMatch(new RegExp(`\\$\\{${name}:\\?set ${name}`));
    const example = readFileSync(fileURLToPath(new URL('../.env.example', import.meta.url)), 'utf8');
    for (const name of secrets) expect(example).toMatch(new RegExp(`^${name}=$`, 'm'));
  });

  it('runs a three-node NATS cluster with JetStream, routes to every node and the stream at three replicas', () => {
    const nodes = ['nats-1', 'nats-2', 'nats-3'];
    for (const node of nodes) {
      const command = services[node]!.command!;
      expect(command).toContain('--jetstream');
      expect(command).toContain(`--server_name=${node}`);
      const routes = command.find((flag) => flag.startsWith('--routes='))!;
      for (const other of nodes) expect(routes).toContain(`nats://${other}:6222`);
      expect(services[node]!.healthcheck?.test?.join(' ')).toContain('/healthz');
    }
    for (const service of WAGATE) {
      const environment = services[service]!.environment!;
      expect(environment.NATS_STREAM_REPLICAS).toBe('3');
      for (const node of nodes) expect(environment.NATS_URL).toContain(`@${node}:4222`);
    }
  });

  it('checks the health of every service and starts each only after what it needs is healthy', () => {
    for (const name of ['postgres', ...WAGATE]) {
      expect(services[name]!.healthcheck?.test, name).toBeDefined();
    }
    for (const service of WAGATE) {
      expect(services[service]!.healthcheck!.test!.join(' ')).toContain(`127.0.0.1:${services[service]!.environment!.ADMIN_PORT}/readyz`);
      for (const needed of ['postgres', 'nats-1', 'nats-2', 'nats-3']) {
        expect(services[service]!.depends_on?.[needed]?.condition, `${service} → ${needed}`).toBe('service_healthy');
      }
    }
    for (const peer of ['billing', 'templates', 'dispatch', 'fleet']) {
      expect(services.api!.depends_on?.[peer]?.condition).toBe('service_healthy');
    }
  });
});
