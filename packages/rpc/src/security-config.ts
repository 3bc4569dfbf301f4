import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { type ConfigOf, ConfigError, env } from '@wagate/config';
import type { ServiceIdentity } from './identity.js';
import type {
  AgentPlaneClientSecurity,
  AgentPlaneServerSecurity,
  InternalPlaneSecurity,
} from './security.js';

/**
 * The one setting that turns TLS off, for a development machine only: every listener then binds
 * loopback and every peer must be on loopback. Named so that nobody sets it by accident.
 */
export const INSECURE_SETTING = 'WAGATE_INSECURE_PLAINTEXT_LOOPBACK';

const insecureSetting = env.bool({
  default: false,
  description:
    'Development machines only: gRPC without TLS. Every listener binds loopback and every peer must be on loopback; without it a service refuses to start unless its TLS files are given (docs/security.md).',
});

/** The internal plane's variables (every service, and the api as a client): mutual TLS. */
export const internalPlaneVariables = {
  [INSECURE_SETTING]: insecureSetting,
  WAGATE_TLS_CA_FILE: env.file({
    description:
      'The internal CA (PEM) that signed every service certificate: peers are verified against it.',
  }),
  WAGATE_TLS_CERT_FILE: env.file({
    description:
      "This process's certificate (PEM); its common name must be the service's name (billing, templates, dispatch, fleet, api).",
  }),
  WAGATE_TLS_KEY_FILE: env.file({
    description: "The private key (PEM) of WAGATE_TLS_CERT_FILE's certificate.",
  }),
};
export type InternalPlaneConfig = ConfigOf<typeof internalPlaneVariables>;

/** Fleet's agent listener: TLS with a certificate the agents verify. */
export const agentPlaneServerVariables = {
  [INSECURE_SETTING]: insecureSetting,
  WAGATE_AGENT_TLS_CERT_FILE: env.file({
    description:
      "Fleet's agent-plane certificate (PEM), signed by the CA the device agents trust (WAGATE_FLEET_CA_FILE).",
  }),
  WAGATE_AGENT_TLS_KEY_FILE: env.file({
    description: "The private key (PEM) of WAGATE_AGENT_TLS_CERT_FILE's certificate.",
  }),
};
export type AgentPlaneServerConfig = ConfigOf<typeof agentPlaneServerVariables>;

/** A device agent's side of the agent plane. */
export const agentPlaneClientVariables = {
  [INSECURE_SETTING]: insecureSetting,
  WAGATE_FLEET_CA_FILE: env.file({
    description: "The CA (PEM) that signed fleet's agent-plane certificate.",
  }),
};
export type AgentPlaneClientConfig = ConfigOf<typeof agentPlaneClientVariables>;

/** Every variable that configures a gRPC plane (what a test kit must not override when a test sets any). */
export const PLANE_VARIABLES: readonly string[] = Object.keys({
  ...internalPlaneVariables,
  ...agentPlaneServerVariables,
  ...agentPlaneClientVariables,
});

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
export function readInternalPlaneSecurity(
  identity: ServiceIdentity,
  config: InternalPlaneConfig,
): InternalPlaneSecurity {
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
    files: {
      caFile: files.WAGATE_TLS_CA_FILE!,
      certFile: files.WAGATE_TLS_CERT_FILE!,
      keyFile: files.WAGATE_TLS_KEY_FILE!,
    },
  };
}

/** Fleet's agent listener from `WAGATE_AGENT_TLS_CERT_FILE` and `WAGATE_AGENT_TLS_KEY_FILE`, or the insecure setting. */
export function readAgentPlaneServerSecurity(config: AgentPlaneServerConfig): AgentPlaneServerSecurity {
  if (config[INSECURE_SETTING]) return { mode: 'insecure-loopback' };
  const files = {
    WAGATE_AGENT_TLS_CERT_FILE: config.WAGATE_AGENT_TLS_CERT_FILE,
    WAGATE_AGENT_TLS_KEY_FILE: config.WAGATE_AGENT_TLS_KEY_FILE,
  };
  const absent = missing(files);
  if (absent.length > 0) refuse('agent gRPC plane (TLS)', absent);
  certificateName('WAGATE_AGENT_TLS_CERT_FILE', files.WAGATE_AGENT_TLS_CERT_FILE!);
  readPem('WAGATE_AGENT_TLS_KEY_FILE', files.WAGATE_AGENT_TLS_KEY_FILE!);
  return {
    mode: 'tls',
    certFile: files.WAGATE_AGENT_TLS_CERT_FILE!,
    keyFile: files.WAGATE_AGENT_TLS_KEY_FILE!,
  };
}

/** A device agent's view of the agent plane: the CA that signed fleet's agent certificate, or the insecure setting. */
export function readAgentPlaneClientSecurity(config: AgentPlaneClientConfig): AgentPlaneClientSecurity {
  if (config[INSECURE_SETTING]) return { mode: 'insecure-loopback' };
  if (!config.WAGATE_FLEET_CA_FILE) refuse('agent gRPC plane (TLS to fleet)', ['WAGATE_FLEET_CA_FILE']);
  readPem('WAGATE_FLEET_CA_FILE', config.WAGATE_FLEET_CA_FILE);
  return { mode: 'tls', caFile: config.WAGATE_FLEET_CA_FILE };
}
