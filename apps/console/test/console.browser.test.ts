import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChildAccount, ensureKey, PLATFORM_ACCOUNT_ID } from '@wagate/billing';
import { type EmbeddedGateway, startEmbeddedGateway } from '@wagate/gateway';
import {
  browserAvailable,
  CHROMIUM_FLAGS,
  chromiumPath,
  type FreshPostgres,
  freshPostgresUrl,
} from '@wagate/testkit';
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/**
 * The built console (apps/console/dist, made by this package's `npm test` before vitest runs)
 * in Debian's Chromium, against the embedded gateway on a real PostgreSQL: every click goes
 * through the public API with a session cookie.
 */

/** Screenshots of each page, for people to look at (gitignored). */
const artifacts = join(import.meta.dirname, '../test-artifacts');
const wait = { timeout: 60_000 };

const run = browserAvailable();
let database: FreshPostgres;
let gateway: EmbeddedGateway;
let browser: Browser;
let platformKey: string;
let strangerKey: string;

beforeAll(async () => {
  if (!run) return;
  mkdirSync(artifacts, { recursive: true });
  database = await freshPostgresUrl();
  gateway = await startEmbeddedGateway({
    port: 0,
    apiKey: `wag_test_${randomBytes(12).toString('hex')}`,
    databaseUrl: database.url,
    simDevices: 1,
  });
  const billing = gateway.billing.db;
  platformKey = `wag_test_${randomBytes(12).toString('hex')}`;
  await ensureKey(billing, PLATFORM_ACCOUNT_ID, platformKey, 'console test operator');
  await ensureChildAccount(billing, {
    id: 'acc_stranger',
    name: 'Stranger Ltd',
    parentId: PLATFORM_ACCOUNT_ID,
    kind: 'customer',
  });
  strangerKey = `wag_test_${randomBytes(12).toString('hex')}`;
  await ensureKey(billing, 'acc_stranger', strangerKey, 'stranger');
  browser = await chromium.launch({ executablePath: chromiumPath!, args: [...CHROMIUM_FLAGS] });
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await database?.drop();
});

/** A fresh browser profile signed in with `key` through the sign-in form. */
async function signIn(key: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: gateway.url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor(wait);
  return page;
}

/** Opens a page of the console and waits for its heading. */
async function open(page: Page, hash: string, heading: string | RegExp): Promise<void> {
  await page.goto(`/console/#/${hash}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor(wait);
}

/** Writes the page's screenshot and fails on any serious or critical accessibility violation. */
async function check(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  await page.evaluate(axe.source);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) })))`,
  )) as unknown[];
  expect({ page: name, violations }).toEqual({ page: name, violations: [] });
}

async function api(key: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect([path, response.status]).toEqual([path, expect.any(Number)]);
  return response.json();
}

describe.skipIf(!run)('the console in Chromium', () => {
  let tenant: Page;
  let sentMessageId: string;
  let templatePage: string;

  test('a tenant signs in with a key the browser never keeps', async () => {
    tenant = await signIn(gateway.apiKey);
    const cookies = await tenant.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'wagate_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    const stored = await tenant.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify(localStorage),
      session: JSON.stringify(sessionStorage),
    }));
    for (const place of Object.values(stored)) expect(place).not.toContain(gateway.apiKey);
    expect(stored.cookie).not.toContain('wagate_session');
    await open(tenant, 'overview', 'Overview');
    await expect.poll(() => tenant.getByTestId('balance').textContent(), wait).toContain('10000.00 RUB');
    await check(tenant, 'overview');
  });

  test('bad input shows the API’s error next to the field', async () => {
    await open(tenant, 'send', 'Send a test message');
    await tenant.getByLabel('To (phone number)').fill('not-a-number');
    await tenant.getByLabel('Text').fill('hello');
    await tenant.getByRole('button', { name: 'Send' }).click();
    const error = tenant.locator('[data-field="to"]');
    await error.waitFor(wait);
    expect(await error.textContent()).toMatch(/phone number/);
    // It sits right under the field it is about, and the field points at it.
    const describedBy = await tenant.getByLabel('To (phone number)').getAttribute('aria-describedby');
    expect(await error.getAttribute('id')).toBe(describedBy);
    await check(tenant, 'send-error');
  });

  test('a test message is sent and its page shows it reaching READ', async () => {
    await open(tenant, 'send', 'Send a test message');
    await tenant.getByLabel('To (phone number)').fill('79034567890');
    await tenant.getByLabel('Text').fill('Hello from the console');
    await tenant.getByLabel(/^Status callback URL/).fill(`${gateway.url}/dev/inbox`);
    await tenant.getByRole('button', { name: 'Send' }).click();
    await tenant.getByRole('heading', { level: 1, name: /^Message \d+$/ }).waitFor(wait);
    sentMessageId = (await tenant.getByRole('heading', { level: 1 }).textContent())!.replace('Message ', '');
    await expect.poll(() => tenant.getByTestId('message-status').textContent(), wait).toBe('READ');
    expect(await tenant.locator('.timeline').textContent()).toMatch(/ACCEPTED.*SENT.*DELIVERED.*READ/s);
    // Each status was POSTed to the callback URL; the page lists the three deliveries.
    await expect
      .poll(
        async () =>
          (await tenant.getByTestId('callback-state').allTextContents()).map((s) => s.split(' ')[0]),
        wait,
      )
      .toEqual(['delivered', 'delivered', 'delivered']);
    await check(tenant, 'message');
    await open(tenant, 'messages', 'Messages');
    await tenant.getByRole('link', { name: sentMessageId }).waitFor(wait);
    await check(tenant, 'messages');
  });

  test('the other tenant pages render their data', async () => {
    await open(tenant, 'templates', 'Templates');
    await tenant.getByLabel('Name', { exact: true }).fill('order_ready');
    await tenant.getByLabel(/^Body/).fill('Order {{1}} is ready');
    await tenant.getByRole('button', { name: 'Create draft' }).click();
    await tenant.getByRole('heading', { level: 1, name: 'Template order_ready' }).waitFor(wait);
    await tenant.getByRole('button', { name: 'Submit for review' }).click();
    await expect.poll(() => tenant.getByTestId('template-status-en').textContent(), wait).toBe('pending');
    await check(tenant, 'template');
    templatePage = tenant.url();
    for (const [hash, heading] of [
      ['templates', 'Templates'],
      ['webhooks', 'Webhooks'],
      ['keys', /^API keys|^$/],
      ['usage', 'Usage'],
      ['policy', 'Opt-outs and blocklist'],
    ] as const) {
      if (hash === 'keys') {
        await tenant.goto('/console/#/keys');
        await tenant.getByRole('heading', { level: 2, name: /API keys of/ }).waitFor(wait);
      } else {
        await open(tenant, hash, heading);
      }
      await check(tenant, hash);
    }
  });

  test('a reseller creates a sub-account and a key for it', async () => {
    const reseller = await api(platformKey, 'POST', '/v1/accounts', { name: 'Reseller R', kind: 'reseller' });
    const resellerKey = (
      await api(platformKey, 'POST', `/v1/accounts/${reseller.id}/keys`, {
        name: 'reseller console',
        scopes: ['send', 'read', 'manage'],
      })
    ).key as string;
    const page = await signIn(resellerKey);
    await open(page, 'accounts', 'Accounts');
    await page.getByLabel('Account name').fill('Shop of R');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /Shop of R/ }).waitFor(wait);
    await page.getByLabel('Key name').fill('shop backend');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-key').textContent())!;
    expect(secret.length).toBeGreaterThan(20);
    // The key shown once works: it belongs to the new sub-account.
    const balance = await api(secret, 'GET', '/v1/balance');
    expect(balance.accountId).toMatch(/^acc_/);
    expect(balance.accountId).not.toBe(reseller.id);
    // Prices: a bad one is refused next to its field, a good one lands in the list.
    await page.getByLabel('Country (ISO code, * for any)').fill('RU');
    await page.getByLabel('Price per message').fill('-1');
    await page.getByRole('button', { name: 'Set price' }).click();
    await page.locator('[data-field="priceMinor"]').waitFor(wait);
    await page.getByLabel('Price per message').fill('0.55');
    await page.getByRole('button', { name: 'Set price' }).click();
    await page.getByRole('cell', { name: '0.55 RUB' }).waitFor(wait);
    await check(page, 'account');
    await open(page, 'accounts', 'Accounts');
    await page.getByRole('link', { name: 'Shop of R' }).waitFor(wait);
    await check(page, 'accounts');
  });

  test('the platform approves the tenant’s template', async () => {
    const operator = await signIn(platformKey);
    await open(operator, 'reviews', 'Template reviews');
    await operator.getByLabel('Account under review').selectOption(gateway.accountId);
    const status = operator.getByTestId('review-status-order_ready-en');
    await expect.poll(() => status.textContent(), wait).toBe('pending');
    await operator
      .getByRole('article', { name: 'Template order_ready' })
      .getByRole('button', { name: 'Approve' })
      .click();
    await expect.poll(() => status.textContent(), wait).toBe('approved');
    await check(operator, 'reviews');
    // The tenant's preview now renders what a send would get.
    await tenant.goto(templatePage);
    await expect.poll(() => tenant.getByTestId('template-status-en').textContent(), wait).toBe('approved');
    await tenant.getByLabel(/^Parameters/).fill('A-17');
    await tenant.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => tenant.locator('output.preview').textContent(), wait).toBe('Order A-17 is ready');
  });

  test('an operator quarantines a device and sees its state change', async () => {
    const operator = await signIn(platformKey);
    await open(operator, 'devices', 'Devices');
    await operator.locator('.wall a').first().click();
    await operator.getByRole('heading', { level: 1, name: /^Device / }).waitFor(wait);
    // The tenant's test message went through this device today.
    expect(await operator.locator('.facts').textContent()).toMatch(
      /warm-up day 1 · new contacts [1-9]\d*\/1000000/,
    );
    expect(await operator.locator('.facts').textContent()).toMatch(/[1-9]\d* · last \d+: [1-9]\d* sent/);
    await expect.poll(() => operator.getByTestId('device-admin-state').textContent(), wait).toBe('active');
    await operator.getByLabel('Reason').fill('console test');
    await operator.getByRole('button', { name: 'Quarantine' }).click();
    await expect
      .poll(() => operator.getByTestId('device-admin-state').textContent(), wait)
      .toBe('quarantined');
    expect(await operator.locator('.timeline').textContent()).toContain('console test');
    await check(operator, 'device');
    await operator.getByRole('button', { name: 'Release' }).click();
    await expect.poll(() => operator.getByTestId('device-admin-state').textContent(), wait).toBe('active');
    await open(operator, 'devices', 'Devices');
    // The demo account's pool, seen by the platform, with nothing waiting.
    await expect.poll(() => operator.getByTestId('queue-MyCompany').textContent(), wait).toBe('0');
    await check(operator, 'devices');
  });

  test("a key of one tenant never shows another tenant's data", async () => {
    const stranger = await signIn(strangerKey);
    await open(stranger, 'messages', 'Messages');
    await stranger.getByText('No messages yet.').waitFor(wait);
    await stranger.goto(`/console/#/messages/${sentMessageId}`);
    await stranger.getByRole('alert').waitFor(wait);
    expect(await stranger.getByRole('alert').textContent()).toMatch(/no message/i);
    expect(await stranger.content()).not.toContain('Hello from the console');
    await open(stranger, 'templates', 'Templates');
    await stranger.getByText('No templates yet.').waitFor(wait);
    // A customer has no account tree and no devices: the pages are not offered...
    expect(await stranger.getByRole('link', { name: 'Devices' }).count()).toBe(0);
    // ...and asking the API for them through the session answers like missing ones.
    await stranger.goto(`/console/#/accounts/${gateway.accountId}`);
    await stranger.getByRole('alert').waitFor(wait);
    expect(await stranger.content()).not.toContain('10000.00');
  });

  test('signing out ends the session', async () => {
    await tenant.getByRole('button', { name: 'Sign out' }).click();
    await tenant.getByLabel('API key').waitFor(wait);
    const status = await tenant.evaluate(async () => (await fetch('/v1/balance')).status);
    expect(status).toBe(401);
    await check(tenant, 'sign-in');
  });
});
