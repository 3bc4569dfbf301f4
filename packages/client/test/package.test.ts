import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';

/**
 * The package as a tenant gets it: `npm run build` (dist/), `npm pack` of dist, the tarball
 * installed into a scratch project in a temp directory with `npm install --offline` (its one
 * dependency, openapi-fetch, copied into the scratch node_modules first: no registry is asked),
 * then a script that imports it by name and a TypeScript file type-checked against its .d.ts.
 */

const run = promisify(execFile);
const packageDir = join(import.meta.dirname, '..');
const workspaceRequire = createRequire(join(packageDir, 'package.json'));
const scratch = mkdtempSync(join(tmpdir(), 'wagate-client-scratch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const moduleDir = (name: string) => dirname(workspaceRequire.resolve(`${name}/package.json`));

test('npm pack, install the tarball offline into a scratch project, and use it', async () => {
  await run(process.execPath, [join(packageDir, 'scripts/build.mjs')]);
  await run('npm', ['pack', join(packageDir, 'dist'), '--pack-destination', scratch]);
  const tarball = readdirSync(scratch).find((file) => file.endsWith('.tgz'))!;
  expect(tarball).toMatch(/^wagate-client-\d+\.\d+\.\d+\.tgz$/);

  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  for (const dependency of ['openapi-fetch', 'openapi-typescript-helpers']) {
    cpSync(moduleDir(dependency), join(scratch, 'node_modules', dependency), { recursive: true });
  }
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', `./${tarball}`], { cwd: scratch });

  writeFileSync(
    join(scratch, 'use.mjs'),
    `import { createWagateClient, parseStatusCallbacks, signWebhook, verifyWebhook, WagateApiError } from '@wagate/client';
const secret = 'whsec_' + Buffer.alloc(32, 1).toString('base64');
const body = '[{"messageId":118626985453813761,"status":"SENT"}]';
const now = Math.floor(Date.now() / 1000);
const headers = { 'webhook-id': 'cb_1', 'webhook-timestamp': String(now), 'webhook-signature': signWebhook(secret, 'cb_1', now, body) };
console.log(JSON.stringify({
  client: typeof createWagateClient('http://127.0.0.1:1', 'wag_key').POST,
  verified: verifyWebhook(secret, headers, body),
  ids: parseStatusCallbacks(body).map((s) => s.messageId),
  error: new WagateApiError(404, { reasons: [{ key: 'not.found', ref: 'messageId' }], description: 'x' }).key,
}));
`,
  );
  const { stdout } = await run(process.execPath, ['use.mjs'], { cwd: scratch });
  expect(JSON.parse(stdout)).toEqual({
    client: 'function',
    verified: true,
    ids: ['118626985453813761'],
    error: 'not.found',
  });

  // The types ship too: a typed call checks against the installed .d.ts (and a wrong field fails).
  const typed = `import { createWagateClient, unwrap } from '@wagate/client';
const client = createWagateClient('http://127.0.0.1:1', 'wag_key');
export const send = () => unwrap(client.POST('/whatsapp/messages', { body: { messages: [{ from: 'MyCompany', to: '79034567890', text: 'hi' }] } }));
`;
  writeFileSync(join(scratch, 'use.ts'), typed);
  writeFileSync(join(scratch, 'wrong.ts'), typed.replace("to: '79034567890'", 'to: 79034567890'));
  const tsc = workspaceRequire.resolve('typescript/bin/tsc');
  const typeRoots = join(moduleDir('@types/node'), '..');
  const check = (file: string) =>
    run(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--typeRoots',
        typeRoots,
        '--types',
        'node',
        file,
      ],
      { cwd: scratch },
    );
  await check('use.ts');
  await expect(check('wrong.ts')).rejects.toMatchObject({
    stdout: expect.stringContaining("'number' is not assignable to type 'string'"),
  });
}, 300_000);
