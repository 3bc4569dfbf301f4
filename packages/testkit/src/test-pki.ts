import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isServiceIdentity, PLANE_VARIABLES } from '@wagate/rpc';
import {
  agentPlaneEnvironment,
  internalPlaneEnvironment,
  issueDevelopmentPki,
  writeDevelopmentPki,
} from '@wagate/rpc/pki';

let made: Promise<string> | undefined;

/**
 * A development PKI (what `npx wagate certs` writes) made once per test process in a temporary
 * directory: the processes the test kit starts use it, so tests run the planes as production does.
 */
export function testPkiDirectory(): Promise<string> {
  made ??= issueDevelopmentPki({ validDays: 2, caName: 'wagate test' }).then((pki) => {
    const directory = mkdtempSync(join(tmpdir(), 'wagate-test-pki-'));
    writeDevelopmentPki(directory, pki);
    return directory;
  });
  return made;
}


/**
 * The TLS settings a process of `app` gets from the test PKI, unless the test set any plane
 * setting itself (an attack test, or a deliberate insecure run).
 */
export async function planeEnvironmentFor(app: string, env: Record<string, string>): Promise<Record<string, string>> {
  if (PLANE_VARIABLES.some((name) => name in env)) return {};
  const directory = await testPkiDirectory();
  const agentPlane = agentPlaneEnvironment(directory);
  if (app === 'device-agent') return agentPlane.agent;
  if (!isServiceIdentity(app)) return {};
  return { ...internalPlaneEnvironment(directory, app), ...(app === 'fleet' ? agentPlane.fleet : {}) };
}
