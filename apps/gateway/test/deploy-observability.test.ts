import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { prometheusTool } from '@wagate/testkit';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

/**
 * deploy/observability: the alert rules pass promtool's check and their unit tests, and every
 * PromQL expression in the rules and the Grafana dashboards names only metrics the services
 * export (read from their instruments' definitions), each documented in docs/operations.md.
 */
const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const deploy = join(root, 'deploy/observability');
const promtool = prometheusTool('promtool');

/** Every `.ts` file under `dir`, tests excluded. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.includes('/node_modules/') && !path.includes('/test/'));
}

/**
 * The Prometheus names of every instrument the services make: counters get `_total`,
 * histograms `_bucket`, `_sum` and `_count`; up-down counters and gauges keep their name.
 */
function exportedMetrics(): Set<string> {
  const names = new Set<string>(['up']);
  const promName = (name: string) => name.replaceAll('.', '_');
  for (const dir of ['apps', 'packages']) {
    for (const file of sources(join(root, dir))) {
      if (file.includes('/src/gen/')) continue;
      const text = readFileSync(file, 'utf8');
      for (const [, kind, name] of text.matchAll(/create(Counter|UpDownCounter|Histogram)\(\s*'([\w.]+)'/g)) {
        const base = promName(name!);
        if (kind === 'Counter') names.add(`${base}_total`);
        else if (kind === 'Histogram')
          for (const suffix of ['_bucket', '_sum', '_count']) names.add(base + suffix);
        else names.add(base);
      }
      // observeGauges(meter, { 'wagate.x': { description … } }, …)
      for (const [, name] of text.matchAll(/'((?:wagate|rpc|http)\.[\w.]+)':\s*\{\s*description/g))
        names.add(promName(name!));
    }
  }
  return names;
}

const FUNCTIONS_AND_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/** The metric names a PromQL expression selects (label matchers, grouping lists, strings and durations removed). */
export function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)]
    .map((match) => match[1]!)
    .filter((token) => !FUNCTIONS_AND_KEYWORDS.has(token) && !/^(inf|nan)$/i.test(token));
}

interface Rule {
  alert: string;
  expr: string;
  annotations: { runbook: string };
}
const alertRules = (): Rule[] =>
  (
    parse(readFileSync(join(deploy, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }
  ).groups.flatMap((group) => group.rules);

const dashboards = () =>
  readdirSync(join(deploy, 'grafana/dashboards')).map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(join(deploy, 'grafana/dashboards', file), 'utf8')) as {
      uid: string;
      title: string;
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    },
  }));

describe('alert rules', () => {
  test.skipIf(!promtool)(
    'promtool accepts the rules, the Prometheus configuration and the rule unit tests',
    async () => {
      await run(promtool!, ['check', 'rules', 'alerts.yml'], { cwd: deploy });
      await run(promtool!, ['check', 'config', 'prometheus.yml'], { cwd: deploy });
      const tested = await run(promtool!, ['test', 'rules', 'alerts.test.yml'], { cwd: deploy });
      expect(tested.stdout).toContain('SUCCESS');
    },
  );

  test('every alert has a runbook entry in docs/operations.md and is unit-tested', () => {
    const operations = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    const unitTests = readFileSync(join(deploy, 'alerts.test.yml'), 'utf8');
    for (const rule of alertRules()) {
      expect(rule.annotations.runbook).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect(operations, `runbook heading for ${rule.alert}`).toContain(`### ${rule.alert}\n`);
      expect(unitTests, `a unit test of ${rule.alert}`).toContain(`alertname: ${rule.alert}\n`);
    }
  });
});

describe('PromQL in the rules and dashboards', () => {
  const exported = exportedMetrics();

  test('the expression reader finds the metrics of an expression and nothing else', () => {
    expect(
      metricsIn(
        'sum by (sender) (rate(wagate_x_total{a="b{c}"}[5m])) / clamp_min(sum(up{job="w"}), 1e-9) > 0.5',
      ),
    ).toEqual(['wagate_x_total', 'up']);
  });

  test('every metric named by an alert or a dashboard panel is one the services export', () => {
    const expressions = [
      ...alertRules().map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
      ...dashboards().flatMap(({ file, dashboard }) =>
        dashboard.panels.flatMap((panel) =>
          panel.targets.map((target) => ({ where: `${file}: ${panel.title}`, expr: target.expr })),
        ),
      ),
    ];
    expect(expressions.length).toBeGreaterThan(30);
    const unknown = expressions.flatMap(({ where, expr }) =>
      metricsIn(expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  test('four provisioned dashboards (message flow, fleet, webhooks, billing), each panel with a query', () => {
    const all = dashboards();
    expect(all.map(({ dashboard }) => dashboard.uid).sort()).toEqual([
      'wagate-billing',
      'wagate-fleet',
      'wagate-message-flow',
      'wagate-webhooks',
    ]);
    for (const { dashboard } of all) {
      for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    }
    const provisioning = parse(
      readFileSync(join(deploy, 'grafana/provisioning/dashboards/wagate.yml'), 'utf8'),
    );
    expect(provisioning.providers[0].options.path).toBe('/var/lib/grafana/dashboards/wagate');
    const datasources = parse(
      readFileSync(join(deploy, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    );
    expect(datasources.datasources[0]).toMatchObject({ uid: 'prometheus', type: 'prometheus' });
  });

  test('every exported metric is documented in docs/operations.md', () => {
    const operations = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    // The tables list instrument names (dots); Prometheus sees them with underscores.
    const documentedNames = new Set(
      [...operations.matchAll(/`((?:wagate|rpc|http)\.[\w.]+)`/g)].map((match) =>
        match[1]!.replaceAll('.', '_'),
      ),
    );
    const documented = (name: string) =>
      documentedNames.has(name) || documentedNames.has(name.replace(/_(total|bucket|sum|count)$/, ''));
    const missing = [...exported].filter((name) => name !== 'up' && !documented(name));
    expect(missing).toEqual([]);
  });
});

describe('OpenTelemetry Collector configuration', () => {
  test('every pipeline names receivers, processors and exporters the configuration defines', () => {
    const config = parse(readFileSync(join(deploy, 'otel-collector.yaml'), 'utf8')) as {
      receivers: object;
      processors: object;
      exporters: object;
      extensions: object;
      service: {
        extensions: string[];
        pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
      };
    };
    expect(Object.keys(config.service.pipelines).sort()).toEqual(['metrics', 'traces']);
    for (const pipeline of Object.values(config.service.pipelines)) {
      for (const name of pipeline.receivers) expect(Object.keys(config.receivers)).toContain(name);
      for (const name of pipeline.processors) expect(Object.keys(config.processors)).toContain(name);
      for (const name of pipeline.exporters) expect(Object.keys(config.exporters)).toContain(name);
    }
    for (const name of config.service.extensions) expect(Object.keys(config.extensions)).toContain(name);
  });
});
