import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import { type ChannelCredentials, credentials, experimental, type ServerCredentials } from '@grpc/grpc-js';
import type { ServiceIdentity } from './identity.js';

/**
 * How often certificate files are read again: replacing the files rotates a certificate, its
 * key or the CA bundle without a restart (new connections use the new material).
 */
export const CERTIFICATE_REFRESH_MS = 60_000;

/** PEM files of one identity and the CA bundle it trusts. */
export interface TlsFiles {
  /** CA certificates (PEM, several during a CA rotation) that peers' certificates must chain to. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * The internal plane of one process: mutual TLS with the process's own service certificate,
 * or — only when an operator says so, loudly — plaintext restricted to loopback.
 */
export type InternalPlaneSecurity =
  | { mode: 'mutual-tls'; files: TlsFiles; refreshMs?: number }
  | { mode: 'insecure-loopback' }
  /** In-process PEM (the embedded runtime's throw-away CA): same checks, nothing on disk. */
  | { mode: 'mutual-tls-pem'; ca: string; cert: string; key: string };

/** The agent plane on fleet's side: server TLS (agents prove themselves with their credential). */
export type AgentPlaneServerSecurity =
  | { mode: 'tls'; certFile: string; keyFile: string; refreshMs?: number }
  | { mode: 'tls-pem'; cert: string; key: string }
  | { mode: 'insecure-loopback' };

/** The agent plane on the agent's side: verify fleet's certificate against this CA. */
export type AgentPlaneClientSecurity =
  | { mode: 'tls'; caFile: string; refreshMs?: number }
  | { mode: 'tls-pem'; ca: string }
  | { mode: 'insecure-loopback' };

export class InsecureAddressError extends Error {}

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost']);

/** `127.0.0.1:50051`, `[::1]:50051`, `localhost:50051` → true. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (LOOPBACK_NAMES.has(bare.toLowerCase())) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

export function hostOf(address: string): string {
  const withoutScheme = address.replace(/^[a-z]+:(\/\/)?/i, '');
  const bracketed = /^\[([^\]]+)\]/.exec(withoutScheme);
  if (bracketed) return bracketed[1]!;
  return withoutScheme.split(':')[0] ?? '';
}

/** Plaintext is allowed only between loopback addresses: refuse anything else, naming it. */
export function assertLoopback(address: string, what: string): void {
  if (!isLoopbackHost(hostOf(address))) {
    throw new InsecureAddressError(
      `${what} ${address} is not a loopback address, and without TLS only loopback is allowed: configure TLS (docs/security.md)`,
    );
  }
}

function fileProvider(files: Partial<TlsFiles>, refreshMs = CERTIFICATE_REFRESH_MS) {
  return new experimental.FileWatcherCertificateProvider({
    ...(files.caFile ? { caCertificateFile: files.caFile } : {}),
    ...(files.certFile ? { certificateFile: files.certFile } : {}),
    ...(files.keyFile ? { privateKeyFile: files.keyFile } : {}),
    refreshIntervalMs: refreshMs,
  });
}

/** A provider of fixed PEM material (the embedded runtime's in-memory CA). */
function pemProvider(material: { ca?: string; cert?: string; key?: string }): experimental.CertificateProvider {
  const caCertificate = material.ca ? Buffer.from(material.ca) : undefined;
  const identity =
    material.cert && material.key
      ? { certificate: Buffer.from(material.cert), privateKey: Buffer.from(material.key) }
      : undefined;
  // Updates are delivered asynchronously, as the file watcher does: grpc-js registers the
  // server's watcher only after adding its listeners, and would miss a synchronous update.
  return {
    addCaCertificateListener: (listener) => caCertificate && setImmediate(() => listener({ caCertificate })),
    removeCaCertificateListener: () => {},
    addIdentityCertificateListener: (listener) => identity && setImmediate(() => listener(identity)),
    removeIdentityCertificateListener: () => {},
  };
}

/**
 * Resolves once the provider has read its certificate (and CA): a server that listened before
 * would refuse the first handshakes. The listener stays: it keeps the file watcher running.
 */
function firstRead(provider: experimental.CertificateProvider, withCa: boolean): Promise<void> {
  const identity = new Promise<void>((resolve) => provider.addIdentityCertificateListener((update) => update && resolve()));
  const ca = withCa
    ? new Promise<void>((resolve) => provider.addCaCertificateListener((update) => update && resolve()))
    : Promise.resolve();
  return Promise.all([identity, ca]).then(() => undefined);
}

export async function internalServerCredentials(security: InternalPlaneSecurity): Promise<ServerCredentials | undefined> {
  if (security.mode === 'insecure-loopback') return undefined;
  const provider =
    security.mode === 'mutual-tls' ? fileProvider(security.files, security.refreshMs) : pemProvider(security);
  await firstRead(provider, true);
  // The CA provider makes the server ask for a client certificate; `true` refuses a connection without one.
  return experimental.createCertificateProviderServerCredentials(provider, provider, true);
}

export async function agentServerCredentials(security: AgentPlaneServerSecurity): Promise<ServerCredentials | undefined> {
  if (security.mode === 'insecure-loopback') return undefined;
  const identity =
    security.mode === 'tls'
      ? fileProvider({ certFile: security.certFile, keyFile: security.keyFile }, security.refreshMs)
      : pemProvider(security);
  await firstRead(identity, false);
  // No CA: agents present no certificate; they prove themselves with their enrolment token or
  // rotating credential inside the (encrypted) stream. grpc-js 1.14 hands this function's first
  // two arguments to its constructor as (identity, ca), the reverse of the declared order (the
  // mutual-TLS case above passes one provider for both, so it is unaffected); the agent-plane
  // tests fail if a later version corrects the order.
  return experimental.createCertificateProviderServerCredentials(
    identity,
    null as unknown as experimental.CertificateProvider,
    false,
  );
}

/**
 * Client credentials of a service calling `expected` on the internal plane: its own
 * certificate, and the server's must chain to the internal CA AND name the service it should be
 * — a certificate of another service cannot stand in for billing, whatever address it answers on.
 */
export function internalClientCredentials(
  security: InternalPlaneSecurity,
  expected: ServiceIdentity | undefined,
): ChannelCredentials {
  if (security.mode === 'insecure-loopback') return credentials.createInsecure();
  const provider =
    security.mode === 'mutual-tls' ? fileProvider(security.files, security.refreshMs) : pemProvider(security);
  return experimental.createCertificateProviderChannelCredentials(provider, provider, {
    checkServerIdentity: (_host: string, certificate: PeerCertificate) => {
      const name = certificate.subject?.CN;
      if (expected && name !== expected) {
        return new Error(`internal plane: expected the ${expected} service, the server presented "${name ?? '?'}"`);
      }
      return undefined;
    },
  });
}

export function agentClientCredentials(security: AgentPlaneClientSecurity): ChannelCredentials {
  if (security.mode === 'insecure-loopback') return credentials.createInsecure();
  const ca = security.mode === 'tls' ? fileProvider({ caFile: security.caFile }, security.refreshMs) : pemProvider(security);
  // Standard hostname verification: the agent plane may use a certificate from any CA the operator trusts.
  return experimental.createCertificateProviderChannelCredentials(ca, null);
}

/** The caller's service identity from a connection's client certificate, if it has one. */
export function callerIdentityOf(certificate: PeerCertificate | undefined): string | undefined {
  const name = certificate?.subject?.CN;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * Plaintext on loopback, for in-process tests and `internalTls: false`: one shared object, so
 * clients with this setting share channels.
 */
export const PLAINTEXT_LOOPBACK = { mode: 'insecure-loopback' } as const satisfies InternalPlaneSecurity &
  AgentPlaneServerSecurity &
  AgentPlaneClientSecurity;
