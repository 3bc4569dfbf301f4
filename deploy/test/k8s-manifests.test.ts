import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// Renders every Kustomize overlay with the machine's kubectl, validates each object against the
// Kubernetes schemas (kubernetes-models, offline), and checks what the schemas cannot: probes,
// requests and hardening on every workload, and network policies that allow exactly the calls
// the services make, on ports the services really serve.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const OVERLAYS = ['development', 'production'] as const;
const SERVICES = ['api', 'billing', 'templates', 'dispatch', 'fleet'] as const;

/**
 * A port's default in a process's section of docs/configuration.md: the table generated from
 * the process's configuration schema (a test keeps the file current), so the code's value.
 */
function defaultPort(process: string, variable: string): number | undefined {
  const document = readFileSync(join(repoRoot, 'docs/configuration.md'), 'utf8');
  const section = document.split(/^## /m).find((part) => part.startsWith(`${process}\n`)) ?? '';
  const row = new RegExp(`^\\| \`${variable}\` \\| \`(\\d+)\` \\|`, 'm').exec(section);
  return row ? Number(row[1]) : undefined;
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field below
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  data?: any;
}
interface ContainerPort {
  name?: string;
  containerPort: number;
}
interface Container {
  name: string;
  ports?: ContainerPort[];
  env?: { name: string; value?: string }[];
  // biome-ignore lint/suspicious/noExplicitAny: checked field by field
  [field: string]: any;
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

let workdir: string;
const rendered: Record<string, K8sObject[]> = {};

beforeAll(() => {
  // Render a copy: the development overlay's secrets are made fresh, as a developer would.
  workdir = mkdtempSync(join(tmpdir(), 'wagate-k8s-'));
  cpSync(join(repoRoot, 'deploy/k8s'), join(workdir, 'k8s'), {
    recursive: true,
    filter: (source) => !source.includes(join('overlays', 'development', 'secrets')),
  });
  execFileSync('bash', [join(workdir, 'k8s/overlays/development/make-secrets.sh'), 'postgres://wagate:pw@postgresql:5432/wagate'], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
  for (const overlay of OVERLAYS) {
    const yaml = execFileSync('kubectl', ['kustomize', join(workdir, 'k8s/overlays', overlay)], { encoding: 'utf8' });
    rendered[overlay] = parseAllDocuments(yaml).map((document) => document.toJS() as K8sObject);
  }
}, 120_000);

afterAll(() => {
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

function ofKind(objects: K8sObject[], ...kinds: string[]): K8sObject[] {
  return objects.filter((object) => kinds.includes(object.kind));
}

function workloads(objects: K8sObject[]): K8sObject[] {
  return ofKind(objects, 'Deployment', 'StatefulSet');
}

function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return values.includes(labels[key] ?? '');
    if (operator === 'NotIn') return !values.includes(labels[key] ?? '');
    if (operator === 'Exists') return key in labels;
    return !(key in labels);
  });
  return byLabels && byExpressions;
}

function podLabels(workload: K8sObject): Record<string, string> {
  return workload.spec.template.metadata.labels ?? {};
}

function containers(workload: K8sObject): Container[] {
  return workload.spec.template.spec.containers;
}

function servedPorts(workload: K8sObject): number[] {
  return containers(workload).flatMap((container) => (container.ports ?? []).map((port) => port.containerPort));
}

function envOf(container: Container, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}

/** The workloads whose pods a Service or policy peer selects. */
function selectedWorkloads(objects: K8sObject[], selector: LabelSelector): K8sObject[] {
  return workloads(objects).filter((workload) => selects(selector, podLabels(workload)));
}

async function schemaFor(object: K8sObject): Promise<{ validate(): void }> {
  // kubernetes-models lays its modules out by API version: 'apps/v1' → kubernetes-models/apps/v1.
  const models = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<
    string,
    new (data: object) => { validate(): void }
  >;
  const Model = models[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  if (object.kind === 'Secret' && object.data) {
    // kustomize wraps long base64 at 76 columns; the API server's decoder skips the line breaks,
    // the schema's "byte" format does not.
    const data = Object.fromEntries(
      Object.entries(object.data as Record<string, string>).map(([key, value]) => [key, value.replace(/\s/g, '')]),
    );
    return new Model({ ...object, data });
  }
  return new Model(object);
}

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const objects = () => rendered[overlay]!;

  it('renders, and every object is valid against the Kubernetes schema of its kind', async () => {
    expect(objects().length).toBeGreaterThan(30);
    const invalid: string[] = [];
    for (const object of objects()) {
      try {
        (await schemaFor(object)).validate();
      } catch (error) {
        invalid.push(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
      }
    }
    expect(invalid).toEqual([]);
  });

  it('runs each service, the migration Job and a three-node NATS cluster', () => {
    const names = workloads(objects()).map((workload) => `${workload.kind}/${workload.metadata.name}`);
    expect(names.sort()).toEqual([
      'Deployment/billing',
      'Deployment/dispatch',
      'Deployment/fleet',
      'Deployment/templates',
      'StatefulSet/api',
      'StatefulSet/nats',
    ]);
    const job = ofKind(objects(), 'Job')[0]!;
    const migrated = [...job.spec.template.spec.initContainers, ...job.spec.template.spec.containers];
    expect(migrated.map((container: Container) => container.name).sort()).toEqual([...SERVICES].sort());
    for (const container of migrated) expect(envOf(container, 'WAGATE_MIGRATE_ONLY')).toBe('true');
    const nats = workloads(objects()).find((workload) => workload.metadata.name === 'nats')!;
    expect(nats.spec.replicas).toBe(3);
  });

  it('gives every workload probes, resource requests and limits, and a non-root, read-only container', () => {
    const adminPort = Number(ofKind(objects(), 'ConfigMap').find((map) => map.metadata.name === 'wagate-config')!.data.ADMIN_PORT);
    for (const workload of workloads(objects())) {
      const where = `${workload.kind}/${workload.metadata.name}`;
      const pod = workload.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot, where).toBe(true);
      expect(pod.securityContext?.runAsUser, where).toBeGreaterThan(0);
      for (const container of containers(workload)) {
        expect(container.resources?.requests?.cpu, where).toBeDefined();
        expect(container.resources?.requests?.memory, where).toBeDefined();
        expect(container.resources?.limits?.memory, where).toBeDefined();
        expect(container.securityContext?.allowPrivilegeEscalation, where).toBe(false);
        expect(container.securityContext?.readOnlyRootFilesystem, where).toBe(true);
        expect(container.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
        for (const probe of ['livenessProbe', 'readinessProbe']) {
          const port = container[probe]?.httpGet?.port;
          expect(port, `${where} ${probe}`).toBeDefined();
          // A named probe port must be one the container declares.
          const declared = (container.ports ?? []).find((candidate) => candidate.name === port || candidate.containerPort === port);
          expect(declared, `${where} ${probe} port ${port}`).toBeDefined();
        }
      }
      if (workload.metadata.name === 'nats') continue;
      // wagate's own processes answer health on the admin port the ConfigMap gives them.
      const [service] = containers(workload);
      expect(service!.livenessProbe.httpGet.path, where).toBe('/livez');
      expect(service!.readinessProbe.httpGet.path, where).toBe('/readyz');
      expect(service!.ports!.find((port) => port.name === 'admin')?.containerPort, where).toBe(adminPort);
    }
    const job = ofKind(objects(), 'Job')[0]!;
    expect(job.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    for (const container of [...job.spec.template.spec.initContainers, ...job.spec.template.spec.containers]) {
      expect(container.resources?.requests?.memory).toBeDefined();
      expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
    }
  });

  it("serves each service on the ports its code listens on, and points every peer address at a real Service port", () => {
    for (const service of ['billing', 'templates', 'dispatch', 'fleet'] as const) {
      const workload = workloads(objects()).find((candidate) => candidate.metadata.name === service)!;
      const ports = containers(workload)[0]!.ports!;
      expect(ports.find((port) => port.name === 'grpc')?.containerPort).toBe(defaultPort(service, 'GRPC_PORT'));
      if (service === 'fleet') {
        const agentPort = defaultPort(service, 'AGENT_GRPC_PORT');
        expect(agentPort).toBeDefined();
        expect(ports.find((port) => port.name === 'agent')?.containerPort).toBe(agentPort);
      }
    }
    const services = ofKind(objects(), 'Service');
    for (const workload of workloads(objects())) {
      for (const container of containers(workload)) {
        for (const variable of container.env ?? []) {
          if (!variable.name.endsWith('_ADDRESS')) continue;
          const [host, port] = variable.value!.split(':');
          const target = services.find((service) => service.metadata.name === host);
          expect(target, `${workload.metadata.name} ${variable.name}`).toBeDefined();
          expect(target!.spec.ports.map((candidate: { port: number }) => candidate.port)).toContain(Number(port));
          for (const pod of selectedWorkloads(objects(), { matchLabels: target!.spec.selector })) {
            expect(servedPorts(pod)).toContain(Number(port));
          }
        }
      }
    }
  });

  it('allows in-cluster traffic only on ports the selected pods serve, and exactly the calls the services make', () => {
    const policies = ofKind(objects(), 'NetworkPolicy');
    expect(policies.find((policy) => policy.metadata.name === 'default-deny')?.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    const allowedCalls = new Set<string>();
    for (const policy of policies) {
      const subjects = selectedWorkloads(objects(), policy.spec.podSelector);
      expect(subjects.length, `policy ${policy.metadata.name} selects no pod`).toBeGreaterThan(0);
      for (const rule of policy.spec.ingress ?? []) {
        for (const { port } of rule.ports ?? []) {
          for (const subject of subjects) {
            expect(servedPorts(subject), `policy ${policy.metadata.name}: ${subject.metadata.name} does not serve ${port}`).toContain(port);
          }
        }
      }
      for (const rule of policy.spec.egress ?? []) {
        for (const peer of rule.to ?? []) {
          // Peers outside this namespace (DNS, PostgreSQL, webhook receivers) are not ours to check.
          if (!peer.podSelector || peer.namespaceSelector) continue;
          const targets = selectedWorkloads(objects(), peer.podSelector);
          expect(targets.length, `policy ${policy.metadata.name}: egress peer selects no pod`).toBeGreaterThan(0);
          for (const { port } of rule.ports ?? []) {
            for (const target of targets) {
              expect(servedPorts(target), `policy ${policy.metadata.name}: ${target.metadata.name} does not serve ${port}`).toContain(port);
              for (const subject of subjects) allowedCalls.add(`${subject.metadata.name} -> ${target.metadata.name}:${port}`);
            }
          }
        }
      }
    }
    // The calls the services make: their peer addresses, and every service to NATS.
    const services = ofKind(objects(), 'Service');
    const madeCalls = new Set<string>();
    for (const workload of workloads(objects()).filter((candidate) => candidate.metadata.name !== 'nats')) {
      madeCalls.add(`${workload.metadata.name} -> nats:4222`);
      for (const variable of containers(workload)[0]!.env ?? []) {
        if (!variable.name.endsWith('_ADDRESS')) continue;
        const [host, port] = variable.value!.split(':');
        const service = services.find((candidate) => candidate.metadata.name === host)!;
        for (const target of selectedWorkloads(objects(), { matchLabels: service.spec.selector })) {
          madeCalls.add(`${workload.metadata.name} -> ${target.metadata.name}:${port}`);
        }
      }
    }
    // NATS nodes route to each other.
    madeCalls.add('nats -> nats:6222');
    expect([...allowedCalls].sort()).toEqual([...madeCalls].sort());
  });

  it('exposes the agent plane on its own Service with the agent port only', () => {
    const agents = ofKind(objects(), 'Service').find((service) => service.metadata.name === 'fleet-agents')!;
    expect(agents.spec.ports.map((port: { port: number }) => port.port)).toEqual([50055]);
    expect(agents.spec.type ?? 'ClusterIP').toBe(overlay === 'production' ? 'LoadBalancer' : 'ClusterIP');
    // Nothing else leaves the cluster: every other Service stays internal.
    const external = ofKind(objects(), 'Service').filter((service) => (service.spec.type ?? 'ClusterIP') !== 'ClusterIP');
    expect(external.map((service) => service.metadata.name)).toEqual(overlay === 'production' ? ['fleet-agents'] : []);
  });
});

describe('secrets', () => {
  function referencedSecrets(objects: K8sObject[]): string[] {
    const names = new Set<string>();
    const visit = (value: unknown, key?: string) => {
      if (Array.isArray(value)) for (const item of value) visit(item);
      else if (value && typeof value === 'object') {
        for (const [field, inner] of Object.entries(value)) visit(inner, field);
        const record = value as Record<string, unknown>;
        if (key === 'secretKeyRef' || key === 'secretRef') names.add(String(record.name));
        if (key === 'secret') names.add(String(record.secretName));
      }
    };
    for (const object of objects) visit(object);
    return [...names].sort();
  }

  it('production creates no Secret and references only those operators must provide', () => {
    const production = rendered.production!;
    expect(ofKind(production, 'Secret')).toEqual([]);
    expect(referencedSecrets(production)).toEqual(
      [
        'wagate-agent-plane-tls',
        'wagate-database',
        'wagate-nats',
        'wagate-nats-auth',
        'wagate-secret-keys',
        ...SERVICES.map((service) => `wagate-tls-${service}`),
      ].sort(),
    );
  });

  it('development generates every Secret it references, with fresh material rather than defaults', () => {
    const development = rendered.development!;
    const generated = ofKind(development, 'Secret').map((secret) => secret.metadata.name);
    expect(referencedSecrets(development).filter((name) => !generated.includes(name))).toEqual([]);
    const nats = ofKind(development, 'Secret').find((secret) => secret.metadata.name.startsWith('wagate-nats-') && !secret.metadata.name.includes('auth'))!;
    const urls = SERVICES.map((service) => Buffer.from(nats.data[service], 'base64').toString('utf8'));
    // One user per service, each with its own random password.
    expect(new Set(urls.map((url) => new URL(url).password)).size).toBe(SERVICES.length);
    for (const url of urls) expect(new URL(url).password).toMatch(/^[0-9a-f]{48}$/);
  });
});

describe('the NATS reference configuration', () => {
  it('clusters the three nodes with JetStream, and streams have no more replicas than nodes', () => {
    const production = rendered.production!;
    const config = ofKind(production, 'ConfigMap').find((map) => map.metadata.name.startsWith('nats-config'))!.data['nats.conf'] as string;
    expect(config).toMatch(/jetstream\s*\{/);
    for (const node of [0, 1, 2]) expect(config).toContain(`nats://nats-${node}.nats-cluster:6222`);
    const nats = workloads(production).find((workload) => workload.metadata.name === 'nats')!;
    const wagate = ofKind(production, 'ConfigMap').find((map) => map.metadata.name === 'wagate-config')!;
    expect(Number(wagate.data.NATS_STREAM_REPLICAS)).toBeLessThanOrEqual(nats.spec.replicas);
    expect(nats.spec.serviceName).toBe('nats-cluster');
  });

  it('is a configuration the machine\'s nats-server (2.9) accepts, with the generated users', () => {
    const development = rendered.development!;
    const dir = join(workdir, 'nats-check');
    mkdirSync(join(dir, 'auth'), { recursive: true });
    // Paths as mounted in the pod, moved into the temporary folder.
    const config = (ofKind(development, 'ConfigMap').find((map) => map.metadata.name.startsWith('nats-config'))!.data['nats.conf'] as string)
      .replaceAll('/var/run/nats', dir)
      .replace('store_dir: /data', `store_dir: ${join(dir, 'data')}`);
    writeFileSync(join(dir, 'nats.conf'), config);
    const auth = ofKind(development, 'Secret').find((secret) => secret.metadata.name.startsWith('wagate-nats-auth'))!;
    writeFileSync(join(dir, 'auth/auth.conf'), Buffer.from(auth.data['auth.conf'].replace(/\s/g, ''), 'base64'));
    const check = spawnSync('nats-server', ['-c', join(dir, 'nats.conf'), '-t'], {
      encoding: 'utf8',
      env: { ...process.env, POD_NAME: 'nats-0' },
    });
    expect(check.status, check.stderr).toBe(0);
    expect(`${check.stdout}${check.stderr}`).toMatch(/configuration file .* is valid/);
  });
});
