import 'reflect-metadata'; // @peculiar/x509's dependency injection needs the Reflect metadata API
import { webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { SERVICE_IDENTITIES, type ServiceIdentity } from './identity.js';

// Node's WebCrypto is the standard Crypto; the cast only bridges Node's and the DOM's type names.
x509.cryptoProvider.set(webcrypto as never);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60_000;

/** A certificate and its private key, PEM. */
export interface PemPair {
  cert: string;
  key: string;
}

/**
 * Everything the two gRPC planes need: an internal CA with one certificate per service (its
 * common name is the service's identity; usable as server and as client certificate), and an
 * agent-plane CA with fleet's agent-listener certificate for the host names agents dial.
 */
export interface DevelopmentPki {
  internalCa: PemPair;
  services: Record<ServiceIdentity, PemPair>;
  agentCa: PemPair;
  agentPlane: PemPair;
}

export interface PkiOptions {
  /** Host names and addresses agents use to reach fleet's agent port (SANs of its certificate). */
  agentHosts?: string[];
  /** Extra DNS names or addresses for every service certificate (clients check the identity, not these). */
  serviceHosts?: string[];
  validDays?: number;
  /** Common-name prefix of the CAs, e.g. to make a second, foreign CA in tests. */
  caName?: string;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const base64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${base64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

function serial(): string {
  // Positive, random, 16 bytes (RFC 5280 allows up to 20).
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function subjectAltNames(hosts: string[]): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension(
    hosts.map((host) => (isIP(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host })),
  );
}

interface Authority {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function authority(name: string, days: number): Promise<Authority> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + days * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

async function leaf(ca: Authority, commonName: string, hosts: string[], days: number, usages: string[]): Promise<PemPair> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${commonName}`,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + days * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension(usages),
      subjectAltNames([commonName, ...hosts]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { cert: pemText(cert), key: await privateKeyPem(keys) };
}

/** PEM ending in a newline, so that bundles (several CAs during a rotation) can be concatenated. */
function pemText(certificate: x509.X509Certificate): string {
  return `${certificate.toString('pem').trimEnd()}\n`;
}

async function pemOf(ca: Authority): Promise<PemPair> {
  return { cert: pemText(ca.cert), key: await privateKeyPem(ca.keys) };
}

/** Issues a fresh development PKI in memory (ECDSA P-256). */
export async function issueDevelopmentPki(options: PkiOptions = {}): Promise<DevelopmentPki> {
  const days = options.validDays ?? 90;
  const prefix = options.caName ?? 'wagate development';
  const serviceHosts = options.serviceHosts ?? ['localhost', '127.0.0.1'];
  const internalCa = await authority(`${prefix} internal CA`, days);
  const agentCa = await authority(`${prefix} agent-plane CA`, days);
  const services = {} as Record<ServiceIdentity, PemPair>;
  for (const identity of SERVICE_IDENTITIES) {
    services[identity] = await leaf(internalCa, identity, serviceHosts, days, [
      x509.ExtendedKeyUsage.serverAuth,
      x509.ExtendedKeyUsage.clientAuth,
    ]);
  }
  const agentHosts = options.agentHosts ?? ['localhost', '127.0.0.1'];
  const agentPlane = await leaf(agentCa, 'fleet-agent-plane', agentHosts, days, [x509.ExtendedKeyUsage.serverAuth]);
  return { internalCa: await pemOf(internalCa), services, agentCa: await pemOf(agentCa), agentPlane };
}

/** The file names `writeDevelopmentPki` uses, relative to its directory. */
export const PKI_FILES = {
  internalCa: 'internal-ca.pem',
  internalCaKey: 'internal-ca.key',
  agentCa: 'agent-ca.pem',
  agentCaKey: 'agent-ca.key',
  agentPlaneCert: 'fleet-agent-plane.pem',
  agentPlaneKey: 'fleet-agent-plane.key',
  serviceCert: (identity: ServiceIdentity) => `${identity}.pem`,
  serviceKey: (identity: ServiceIdentity) => `${identity}.key`,
} as const;

/** Writes a PKI as PEM files (private keys 0600) into `directory`; returns the paths written. */
export function writeDevelopmentPki(directory: string, pki: DevelopmentPki): string[] {
  mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  const write = (name: string, content: string, secret: boolean) => {
    const path = join(directory, name);
    writeFileSync(path, content, { mode: secret ? 0o600 : 0o644 });
    chmodSync(path, secret ? 0o600 : 0o644);
    written.push(path);
  };
  write(PKI_FILES.internalCa, pki.internalCa.cert, false);
  write(PKI_FILES.internalCaKey, pki.internalCa.key, true);
  write(PKI_FILES.agentCa, pki.agentCa.cert, false);
  write(PKI_FILES.agentCaKey, pki.agentCa.key, true);
  write(PKI_FILES.agentPlaneCert, pki.agentPlane.cert, false);
  write(PKI_FILES.agentPlaneKey, pki.agentPlane.key, true);
  for (const identity of SERVICE_IDENTITIES) {
    write(PKI_FILES.serviceCert(identity), pki.services[identity].cert, false);
    write(PKI_FILES.serviceKey(identity), pki.services[identity].key, true);
  }
  return written;
}

/** The environment a process of `identity` needs for its internal plane, from files in `directory`. */
export function internalPlaneEnvironment(directory: string, identity: ServiceIdentity): Record<string, string> {
  return {
    WAGATE_TLS_CA_FILE: join(directory, PKI_FILES.internalCa),
    WAGATE_TLS_CERT_FILE: join(directory, PKI_FILES.serviceCert(identity)),
    WAGATE_TLS_KEY_FILE: join(directory, PKI_FILES.serviceKey(identity)),
  };
}

/** Fleet's agent listener environment, and an agent's, from files in `directory`. */
export function agentPlaneEnvironment(directory: string): { fleet: Record<string, string>; agent: Record<string, string> } {
  return {
    fleet: {
      WAGATE_AGENT_TLS_CERT_FILE: join(directory, PKI_FILES.agentPlaneCert),
      WAGATE_AGENT_TLS_KEY_FILE: join(directory, PKI_FILES.agentPlaneKey),
    },
    agent: { WAGATE_FLEET_CA_FILE: join(directory, PKI_FILES.agentCa) },
  };
}
