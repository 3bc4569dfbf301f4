import { readFileSync } from 'node:fs';
import { type ConfigOf, ConfigError, documented } from '@wagate/config';
import { z } from 'zod';
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

/** Text where empty or blank counts as unset (`NATS_TOKEN=` in a compose file means "none"). */
const optional = (description: string, accepts: string) =>
  documented(
    z
      .string()
      .optional()
      .transform((value) => value?.trim() || undefined),
    { description, accepts },
  );

/** The bus's connection variables, for every process that opens a NATS bus. */
export const natsConnectionVariables = {
  NATS_USER: optional('The NATS user this process connects as (with NATS_PASSWORD).', 'text'),
  NATS_PASSWORD: optional("NATS_USER's password.", 'text'),
  NATS_TOKEN: optional('A NATS token, instead of a user and password.', 'text'),
  NATS_NKEY_SEED: optional(
    'An NKEY seed (starts with S, made by `nk -gen user`), instead of a password.',
    'text',
  ),
  NATS_CREDS: optional(
    'A NATS `.creds` file (decentralised JWT auth), instead of a password.',
    'a file path',
  ),
  NATS_CA: optional('The CA (PEM) the NATS server is verified against: turns TLS on.', 'a file path'),
  NATS_CERT: optional(
    'A client certificate (PEM, with NATS_KEY) for servers that verify clients.',
    'a file path',
  ),
  NATS_KEY: optional("The private key (PEM) of NATS_CERT's certificate.", 'a file path'),
  NATS_INBOX_PREFIX: optional(
    "Where replies come back; default `_INBOX.<NATS_USER>` with a user (a user's permissions allow only its own inbox), else NATS's `_INBOX`.",
    'dot-separated tokens of letters, digits, _ and -',
  ),
};
export type NatsConnectionConfig = ConfigOf<typeof natsConnectionVariables>;

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
export function natsConnectionSettings(config: NatsConnectionConfig): NatsConnectionSettings {
  const {
    NATS_USER: user,
    NATS_PASSWORD: pass,
    NATS_TOKEN: token,
    NATS_NKEY_SEED: seed,
    NATS_CREDS: creds,
  } = config;

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

  const { NATS_CA: ca, NATS_CERT: cert, NATS_KEY: key } = config;
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

  const inboxPrefix = config.NATS_INBOX_PREFIX ?? (user ? `_INBOX.${user}` : undefined);
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
