import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where an agent keeps the credential the fleet's last welcome gave it. */
export interface CredentialStore {
  load(): string | undefined;
  save(credential: string): void;
}

/** Keeps it in memory only: after a restart the agent enrols again with its token. */
export function memoryCredentialStore(): CredentialStore {
  let credential: string | undefined;
  return {
    load: () => credential,
    save: (value) => {
      credential = value;
    },
  };
}

/**
 * A file of its own (mode 0600), replaced atomically (write beside it, then rename), so a
 * crash mid-write leaves the previous credential, which the fleet still accepts for a grace.
 */
export function fileCredentialStore(path: string): CredentialStore {
  return {
    load() {
      try {
        const value = readFileSync(path, 'utf8').trim();
        return value === '' ? undefined : value;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    save(credential) {
      mkdirSync(dirname(path), { recursive: true });
      const next = `${path}.next`;
      writeFileSync(next, `${credential}\n`, { mode: 0o600 });
      renameSync(next, path);
    },
  };
}
