import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedGateway, startEmbeddedGateway } from '../src/embedded-gateway.js';

/**
 * README's shell blocks, run as written against a fresh embedded gateway, so the quickstart
 * cannot drift from behaviour. The rules (also stated in README): the gateway's URL replaces
 * `http://127.0.0.1:3000`, its keys replace `wag_...` on the `KEY=` and `ADMIN=` lines; the
 * blocks run in order in bash with `set -euo pipefail` and curl failing on an HTTP error, the
 * variables a block sets carried to the next; each block's output must hold every key, and every
 * value without digits or `…`, of the `# …` lines in it. A block that sends nothing (no `-d`,
 * no `-X`) is run again until it matches, for up to a minute: callbacks arrive on their own
 * time. A block under `<!-- readme-test: skip … -->` is not run.
 */

const README = join(import.meta.dirname, '../../../README.md');
const DEMO_URL = 'http://127.0.0.1:3000';

interface ShellBlock {
  line: number;
  code: string;
  skipped: boolean;
}

function shellBlocks(markdown: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({
      line: i + 1,
      code: lines.slice(i + 1, end).join('\n'),
      skipped: /^<!-- readme-test: skip\b/.test(lines[i - 1] ?? ''),
    });
    i = end;
  }
  return blocks;
}

/** What the `# …` lines of a block promise: `"key":` and, where stable, `"key":"value"`. */
function promisedFragments(code: string): string[] {
  const expected = code
    .split('\n')
    .filter((line) => line.trimStart().startsWith('#'))
    .map((line) => line.trimStart().slice(1))
    .join('');
  return [...expected.matchAll(/"([\w-]+)":("([^"]*)")?/g)].map(([, key, quoted, value]) =>
    quoted !== undefined && !/[\d…]/.test(value!) ? `"${key}":"${value}"` : `"${key}":`,
  );
}

let dataDir: string;
let gateway: EmbeddedGateway;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wagate-readme-'));
  gateway = await startEmbeddedGateway({ port: 0, dataDir });
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const blocks = shellBlocks(readFileSync(README, 'utf8'));

test('README has the quickstart blocks, and skips only what cannot run here', () => {
  expect(blocks.filter((block) => !block.skipped).length).toBeGreaterThanOrEqual(4);
  expect(blocks.filter((block) => block.skipped).map((block) => block.code.split(' ')[0])).toEqual([
    'npm',
    'DATABASE_URL=postgres://…',
    'npm',
    'npm',
  ]);
});

describe('README shell blocks against a fresh embedded gateway', () => {
  const state = () => join(dataDir, 'readme-variables.sh');
  for (const block of blocks.filter((candidate) => !candidate.skipped)) {
    test(`README.md:${block.line}`, async () => {
      const code = block.code
        .replaceAll(DEMO_URL, gateway.url)
        .replace(/^KEY=wag_\.\.\./m, `KEY=${gateway.apiKey}`)
        .replace(/^ADMIN=wag_\.\.\./m, `ADMIN=${gateway.adminKey}`);
      const assigned = [...code.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map(([, name]) => name!);
      const script = [
        'set -euo pipefail',
        'curl() { command curl --fail-with-body --max-time 30 "$@"; }',
        `[ -f ${state()} ] && . ${state()}`,
        code,
        ...(assigned.length > 0 ? [`declare -p ${assigned.join(' ')} >> ${state()}`] : []),
      ].join('\n');
      const sendsSomething = /(^|\s)(-d|-X)\s/.test(block.code);
      const promised = promisedFragments(block.code);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { stdout } = await promisify(execFile)('bash', ['-c', script], { maxBuffer: 16 * 1024 * 1024 });
        const missing = promised.filter((fragment) => !stdout.includes(fragment));
        if (missing.length === 0 || sendsSomething || Date.now() > deadline) {
          expect(missing, `README.md:${block.line} printed:\n${stdout.slice(0, 2000)}`).toEqual([]);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }, 90_000);
  }
});
