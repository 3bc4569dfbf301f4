import { readFileSync } from 'node:fs';
import { ConfigError } from '@wagate/config';
import {
  type Authenticator,
  credsAuthenticator,
  nkeyAuthenticator,
  nkeys,
  type TlsOptions,
} from '@nats-io/transport-node';

/**
 * How a service authenticates to NATS and secures the connection: at most one of user and
 * password, a token, an NKEY seed or a creds file (NATS's decentralised JWT auth), and TLS
 * verified against a CA (with an optional client certificate). Passed to `openBus`.
 */
export interface NatsConnectionSettings {
  user?: string;
  pass?: string;
  token?: string;
  authenticator?: Authenticator;
  tls?: TlsOptions;
  /**
   * Where replies (JetStream API answers, pulled messages) come back: a user's permissions
   * allow it its own inbox subjects only, so one service cannot read another's replies.
   */
  inboxPrefix?: string;
}

type Environment = Record<string, string | undefined>;

/**
 * The one reader of the bus's connection settings, for every process that opens a NATS bus:
 *
 * - `NATS_USER` + `NATS_PASSWORD`, or `NATS_TOKEN`, or `NATS_NKEY_SEED` (an `SU…` seed), or
 *   `NATS_CREDS` (path of a `.creds` file) — one of them, or none for an open server;
 * - `NATS_CA` (path of the CA's PEM): TLS, the server verified against it; `NATS_CERT` +
 *   `NATS_KEY` (paths): a client certificate for servers that verify clients;
 * - `NATS_INBOX_PREFIX`: default `_INBOX.<NATS_USER>` with a user, else NATS's `_INBOX`.
 *
 * A `tls://` server URL requires TLS even without `NATS_CA` (the system's CAs then).
 * Every fault names the variable, never its value.
 */
export function natsConnectionFromEnv(source: Environment = process.env): NatsConnectionSettings {
  const value = (name: string) => {
    const text = source[name]?.trim();
    return text ? text : undefined;
  };
  const user = value('NATS_USER');
  const pass = value('NATS_PASSWORD');
  const token = value('NATS_TOKEN');
  const seed = value('NATS_NKEY_SEED');
  const creds = value('NATS_CREDS');

  const methods = [
    user || pass ? 'NATS_USER/NATS_PASSWORD' : '',
    token ? 'NATS_TOKEN' : '',
    seed ? 'NATS_NKEY_SEED' : '',
    creds ? 'NATS_CREDS' : '',
  ].filter(Boolean);
  if (methods.length > 1) {
    throw new ConfigError(`NATS authentication: set one of ${methods.join(', ')}, not several`);
  }
  const settings: NatsConnectionSettings = {};
  if (user || pass) {
    if (!user || !pass) throw new ConfigError('NATS_USER and NATS_PASSWORD go together: set both or neither');
    Object.assign(settings, { user, pass });
  }
  if (token) settings.token = token;
  if (seed) settings.authenticator = nkeyAuthenticator(checkedSeed(seed));
  if (creds) settings.authenticator = credsAuthenticator(readFile('NATS_CREDS', creds));

  const ca = value('NATS_CA');
  const cert = value('NATS_CERT');
  const key = value('NATS_KEY');
  if (Boolean(cert) !== Boolean(key))
    throw new ConfigError('NATS_CERT and NATS_KEY go together: set both or neither');
  if (ca || cert) {
    settings.tls = {
      ...(ca ? { ca: readFile('NATS_CA', ca, 'utf8') } : {}),
      ...(cert && key
        ? { cert: readFile('NATS_CERT', cert, 'utf8'), key: readFile('NATS_KEY', key, 'utf8') }
        : {}),
    };
  }

  const inboxPrefix = value('NATS_INBOX_PREFIX') ?? (user ? `_INBOX.${user}` : undefined);
  if (inboxPrefix !== undefined) {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(inboxPrefix)) {
      throw new ConfigError(
        'NATS_INBOX_PREFIX: dot-separated tokens of letters, digits, _ and -, no wildcards',
      );
    }
    settings.inboxPrefix = inboxPrefix;
  }
  return settings;
}

function checkedSeed(seed: string): Uint8Array {
  const bytes = new TextEncoder().encode(seed);
  try {
    nkeys.fromSeed(bytes);
  } catch {
    throw new ConfigError(
      'NATS_NKEY_SEED is not an NKEY seed (it starts with S and is made by `nk -gen user`)',
    );
  }
  return bytes;
}

function readFile(variable: string, path: string): Uint8Array;
function readFile(variable: string, path: string, encoding: 'utf8'): string;
function readFile(variable: string, path: string, encoding?: 'utf8'): Uint8Array | string {
  try {
    return encoding ? readFileSync(path, encoding) : new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new ConfigError(
      `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}
