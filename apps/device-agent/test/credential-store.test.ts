import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { fileCredentialStore } from '../src/credential-store.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('keeps the credential in a file only its owner reads, replacing it whole', () => {
  dir = mkdtempSync(join(tmpdir(), 'wagate-credential-'));
  const path = join(dir, 'config', 'agent-credential');
  const store = fileCredentialStore(path);
  expect(store.load()).toBeUndefined();
  store.save('wac_first');
  store.save('wac_second');
  expect(store.load()).toBe('wac_second');
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(readdirSync(join(dir, 'config'))).toEqual(['agent-credential']);
  expect(fileCredentialStore(path).load()).toBe('wac_second');
});
