import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { openApiDocument } from '../src/openapi/document.js';

/**
 * The document as the server builds it passes `redocly lint` with Redocly's recommended rules
 * (`redocly.yaml`): any error fails this test, and so CI. Warnings are allowed. Redocly runs
 * from node_modules with telemetry and update checks off, so it works offline.
 */

const redocly = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'wagate-openapi-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{
    ruleId: string;
    severity: string;
    message: string;
    location: Array<{ pointer: string }>;
  }>;
}

test('redocly lint (recommended rules) finds no error in the served document', async () => {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(openApiDocument(), null, 2));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [redocly, 'lint', file, '--format=json', `--config=${join(import.meta.dirname, '../redocly.yaml')}`],
    {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' })); // exit 1 on errors; the report says which
  const report = JSON.parse(stdout) as LintReport;
  const errors = report.problems
    .filter((problem) => problem.severity === 'error')
    .map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
  expect(errors).toEqual([]);
  expect(report.totals.errors).toBe(0);
}, 60_000);
