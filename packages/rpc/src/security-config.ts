import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { ConfigError, env, readConfig } from '@wagate/config';
import { z } from 'zod';
import type { ServiceIdentity } from './identity.js';
import type { AgentPlaneClientSecurity, AgentPlaneServerSecurity, InternalPlaneSecurity } from './security.js';

type Environment = Record<string, string | undefined>;

/**
 * The one setting that turns TLS off, for a development machine only: every listener then binds
 * loopback and every peer must be on loopback. Named so that nobody sets it by accident.
 */
export const INSECURE_SETTING = 'WAGATE_INSECURE_PLAINTEXT_LOOPBACK';

/** Every variable that configures a gRPC plane (what a test kit must not override when a test sets any). */
export const PLANE_VARIABLES = [
  INSECURE_SETTING,
  'WAGATE_TLS_CA_FILE',
  'WAGATE_TLS_CERT_FILE',
  'WAGATE_TLS_KEY_FILE',
  'WAGATE_AGENT_TLS_CERT_FILE',
  'WAGATE_AGENT_TLS_KEY_FILE',
  'WAGATE_FLEET_CA_FILE',
] as const;

/** A file path; empty counts as unset (so `VAR=` in a compose file or a test means "not given"). */
const optionalFile = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

function readPem(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${path} (${(error as Error).message})`);
  }
}

function certificateName(variable: string, path: string): string | undefined {
  try {
    return /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(readPem(variable, path)).subject)?.[1];
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${variable}: ${path} is not a PEM certificate`);
  }
}

function missing(variables: Record<string, string | undefined>): string[] {
  return Object.entries(variables)
    .filter(([, value]) => !value)
    .map(([name]) => name);
}

function refuse(plane: string, absent: string[]): never {
  throw new ConfigError(
    `the ${plane} needs TLS material: set ${absent.join(', ')} (files made by \`npx wagate certs\` or your own CA), ` +
      `or, on a development machine only, ${INSECURE_SETTING}=true (plaintext, loopback only); see docs/security.md`,
  );
}

/**
 * A service's internal plane from `WAGATE_TLS_CA_FILE`, `WAGATE_TLS_CERT_FILE`,
 * `WAGATE_TLS_KEY_FILE` — the certificate must name `identity` — or the insecure setting.
 * Production never falls back to plaintext on its own: without either it refuses to start.
 */
export function readInternalPlaneSecurity(identity: ServiceIdentity, source: Environment = process.env): InternalPlaneSecurity {
  const config = readConfig(
    {
      [INSECURE_SETTING]: env.bool(false),
      WAGATE_TLS_CA_FILE: optionalFile,
      WAGATE_TLS_CERT_FILE: optionalFile,
      WAGATE_TLS_KEY_FILE: optionalFile,
    },
    source,
  );
  const files = {
    WAGATE_TLS_CA_FILE: config.WAGATE_TLS_CA_FILE,
    WAGATE_TLS_CERT_FILE: config.WAGATE_TLS_CERT_FILE,
    WAGATE_TLS_KEY_FILE: config.WAGATE_TLS_KEY_FILE,
  };
  if (config[INSECURE_SETTING]) return { mode: 'insecure-loopback' };
  const absent = missing(files);
  if (absent.length > 0) refuse('internal gRPC plane (mutual TLS)', absent);
  readPem('WAGATE_TLS_CA_FILE', files.WAGATE_TLS_CA_FILE!);
  readPem('WAGATE_TLS_KEY_FILE', files.WAGATE_TLS_KEY_FILE!);
  const name = certificateName('WAGATE_TLS_CERT_FILE', files.WAGATE_TLS_CERT_FILE!);
  if (name !== identity) {
    throw new ConfigError(
      `WAGATE_TLS_CERT_FILE: the certificate names "${name ?? '?'}", but this process is the ${identity} service (its common name must be ${identity})`,
    );
  }
  return {
    mode: 'mutual-tls',
    files: { caFile: files.WAGATE_TLS_CA_FILE!, certFile: files.WAGATE_TLS_CERT_FILE!, keyFile: files.WAGATE_TLS_KEY_FILE! },
  };
}

/** Fleet's agent listener from `WAGATE_AGENT_TLS_CERT_FILE` and `WAGATE_AGENT_TLS_KEY_FILE`, or the insecure setting. */
export function readAgentPlaneServerSecurity(source: Environment = process.env): AgentPlaneServerSecurity {
  const config = readConfig(
    {
      [INSECURE_SETTING]: env.bool(false),
      WAGATE_AGENT_TLS_CERT_FILE: optionalFile,
      WAGATE_AGENT_TLS_KEY_FILE: optionalFile,
    },
    source,
  );
  if (config[INSECURE_SETTING]) return { mode: 'insecure-loopback' };
  const files = {
    WAGATE_AGENT_TLS_CERT_FILE: config.WAGATE_AGENT_TLS_CERT_FILE,
    WAGATE_AGENT_TLS_KEY_FILE: config.WAGATE_AGENT_TLS_KEY_FILE,
  };
  const absent = missing(files);
  if (absent.length > 0) refuse('agent gRPC plane (TLS)', absent);
  certificateName('WAGATE_AGENT_TLS_CERT_FILE', files.WAGATE_AGENT_TLS_CERT_FILE!);
  readPem('WAGATE_AGENT_TLS_KEY_FILE', files.WAGATE_AGENT_TLS_KEY_FILE!);
  return { mode: 'tls', certFile: files.WAGATE_AGENT_TLS_CERT_FILE!, keyFile: files.WAGATE_AGENT_TLS_KEY_FILE! };
}

/** A device agent's view of the agent plane: the CA that signed fleet's agent certificate, or the insecure setting. */
export function readAgentPlaneClientSecurity(source: Environment = process.env): AgentPlaneClientSecurity {
  const config = readConfig({ [INSECURE_SETTING]: env.bool(false), WAGATE_FLEET_CA_FILE: optionalFile }, source);
  if (config[INSECURE_SETTING]) return { mode: 'insecure-loopback' };
  if (!config.WAGATE_FLEET_CA_FILE) refuse('agent gRPC plane (TLS to fleet)', ['WAGATE_FLEET_CA_FILE']);
  readPem('WAGATE_FLEET_CA_FILE', config.WAGATE_FLEET_CA_FILE);
  return { mode: 'tls', caFile: config.WAGATE_FLEET_CA_FILE };
}
