import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, readConfig } from '@wagate/config';
import { nkeys } from '@nats-io/transport-node';
import { startNatsServer, type TestNatsServer } from '@wagate/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { type Bus, natsConnectionSettings, natsConnectionVariables, openBus } from '../src/index.js';

/** The settings a process with `env` as its environment connects with. */
const fromEnv = (env: Record<string, string>) => natsConnectionSettings(readConfig(natsConnectionVariables, env));

/**
 * The bus connects with credentials and TLS from NATS_* variables (one parser for every
 * process), against the machine's real nats-server configured for each method.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(configure: (dir: string, port: number) => string): Promise<TestNatsServer> {
  const started = await startNatsServer(configure);
  cleanups.push(() => started.stop());
  return started;
}

async function open(url: string, env: Record<string, string>): Promise<Bus> {
  const bus = await openBus(url, { connection: fromEnv(env) });
  cleanups.push(() => bus.close());
  return bus;
}

/** One event through the bus: published, consumed by a group, acknowledged. */
async function roundTrip(bus: Bus): Promise<unknown> {
  const received = new Promise<unknown>((resolve) => {
    void bus.consume({ topic: 'connection.check', group: 'check', handler: async (d) => resolve(d.data) });
  });
  await bus.publish({ topic: 'connection.check', id: 'check-1', key: 'k', data: { ok: true } });
  return received;
}

const jetstream = (dir: string) => `jetstream { store_dir: "${join(dir, 'js')}" }`;

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in `dir`. */
function makeCertificates(dir: string, caName = 'ca') {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${caName}`,
    '-keyout',
    `${caName}.key`,
    '-out',
    `${caName}.crt`,
  );
  for (const [name, extension] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ]) {
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.crt`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  }
}

describe('natsConnectionSettings', () => {
  test('no variables: an open server, no TLS', () => {
    expect(fromEnv({})).toEqual({});
  });

  test('user and password, with the inbox the deploy file grants that user', () => {
    expect(fromEnv({ NATS_USER: 'fleet', NATS_PASSWORD: 'p' })).toEqual({
      user: 'fleet',
      pass: 'p',
      inboxPrefix: '_INBOX.fleet',
    });
  });

  test.each([
    [
      { NATS_USER: 'a', NATS_PASSWORD: 'p', NATS_TOKEN: 't' },
      /set one of NATS_USER\/NATS_PASSWORD, NATS_TOKEN/,
    ],
    [{ NATS_USER: 'a' }, /NATS_USER and NATS_PASSWORD go together/],
    [{ NATS_NKEY_SEED: 'SUnotaseed' }, /NATS_NKEY_SEED is not an NKEY seed/],
    [{ NATS_CREDS: '/nowhere/x.creds' }, /NATS_CREDS: cannot read \/nowhere\/x.creds/],
    [{ NATS_CA: '/nowhere/ca.crt' }, /NATS_CA: cannot read/],
    [{ NATS_CERT: '/nowhere/c.crt' }, /NATS_CERT and NATS_KEY go together/],
    [{ NATS_USER: 'a', NATS_PASSWORD: 'p', NATS_INBOX_PREFIX: '_INBOX.>' }, /NATS_INBOX_PREFIX/],
  ])('%o is refused, naming the variable and never its value', (env, message) => {
    expect(() => fromEnv(env)).toThrow(ConfigError);
    expect(() => fromEnv(env)).toThrow(message);
  });
});

describe('connecting to a real nats-server', () => {
  test('tls:// with the CA and a client certificate the server verifies, and a token', async () => {
    const nats = await server((dir, port) => {
      makeCertificates(dir);
      return `port: ${port}\nhost: 127.0.0.1\n${jetstream(dir)}
        tls { cert_file: "${join(dir, 'server.crt')}", key_file: "${join(dir, 'server.key')}", ca_file: "${join(dir, 'ca.crt')}", verify: true }
        authorization { token: "s3cret-token" }`;
    });
    const tlsUrl = nats.url.replace('nats://', 'tls://');
    const files = {
      NATS_CA: join(nats.dir, 'ca.crt'),
      NATS_CERT: join(nats.dir, 'client.crt'),
      NATS_KEY: join(nats.dir, 'client.key'),
    };
    const bus = await open(tlsUrl, { ...files, NATS_TOKEN: 's3cret-token' });
    expect(await roundTrip(bus)).toEqual({ ok: true });

    await expect(open(tlsUrl, { ...files, NATS_TOKEN: 'wrong' })).rejects.toThrow(/authorization/i);
    // The server's certificate is not trusted without the CA, and the server refuses a client without a certificate.
    await expect(open(tlsUrl, { NATS_TOKEN: 's3cret-token' })).rejects.toThrow();
    await expect(open(tlsUrl, { NATS_CA: files.NATS_CA, NATS_TOKEN: 's3cret-token' })).rejects.toThrow();
  }, 60_000);

  test('a server certificate from another CA is refused', async () => {
    const nats = await server((dir, port) => {
      makeCertificates(dir);
      makeCertificates(dir, 'other');
      return `port: ${port}\nhost: 127.0.0.1\n${jetstream(dir)}
        tls { cert_file: "${join(dir, 'server.crt')}", key_file: "${join(dir, 'server.key')}" }`;
    });
    // `server.crt` was last issued by "other"; the client trusts only "ca".
    await expect(
      open(nats.url.replace('nats://', 'tls://'), { NATS_CA: join(nats.dir, 'ca.crt') }),
    ).rejects.toThrow(/unable to verify|self.signed|certificate/i);
    // The same server, its own CA trusted: the refusal above was the CA, nothing else.
    const trusted = await open(nats.url.replace('nats://', 'tls://'), {
      NATS_CA: join(nats.dir, 'other.crt'),
    });
    expect(await roundTrip(trusted)).toEqual({ ok: true });
  }, 60_000);

  test('an NKEY seed', async () => {
    const user = nkeys.createUser();
    const seed = new TextDecoder().decode(user.getSeed());
    const nats = await server(
      (dir, port) => `port: ${port}\nhost: 127.0.0.1\n${jetstream(dir)}
        authorization { users: [ { nkey: "${user.getPublicKey()}" } ] }`,
    );
    expect(await roundTrip(await open(nats.url, { NATS_NKEY_SEED: seed }))).toEqual({ ok: true });
    const stranger = new TextDecoder().decode(nkeys.createUser().getSeed());
    await expect(open(nats.url, { NATS_NKEY_SEED: stranger })).rejects.toThrow(/authorization/i);
  }, 60_000);

  test('user and password', async () => {
    const nats = await server(
      (dir, port) => `port: ${port}\nhost: 127.0.0.1\n${jetstream(dir)}
        authorization { users: [ { user: svc, password: "pw-1" } ] }`,
    );
    expect(await roundTrip(await open(nats.url, { NATS_USER: 'svc', NATS_PASSWORD: 'pw-1' }))).toEqual({
      ok: true,
    });
    await expect(open(nats.url, { NATS_USER: 'svc', NATS_PASSWORD: 'pw-2' })).rejects.toThrow(
      /authorization/i,
    );
  }, 60_000);
});
