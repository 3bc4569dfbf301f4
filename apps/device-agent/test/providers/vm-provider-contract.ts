import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  VmNotFoundError,
  type VmOperation,
  type VmProvider,
  VmUnsupportedError,
  vmOperations,
} from '../../src/providers/vm-provider.js';

/** A provider with one running VM, and a way to look inside that VM that the provider has not. */
export interface ProviderUnderTest {
  provider: VmProvider;
  vmKey: string;
  /** SHA-256 of the APKs installed on the VM, oldest first. */
  installed(vmKey: string): Promise<string[]>;
  /** How many times the VM has booted. */
  boots(vmKey: string): Promise<number>;
  close(): Promise<void>;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A file that passes for an APK (a zip: "PK…"), with its SHA-256. */
async function apkFile(dir: string, name: string): Promise<{ path: string; sha256: string }> {
  const bytes = Buffer.from(`PK\u0003\u0004 ${name} ${'x'.repeat(64)}`);
  const path = join(dir, `${name}.apk`);
  await writeFile(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * What every VM provider must do, run against each (on fake CLIs, or the sim). An operation
 * a provider cannot do must say so (VmUnsupportedError), never pretend.
 */
export function describeVmProviderContract(name: string, setup: () => Promise<ProviderUnderTest>): void {
  describe(`VM provider contract: ${name}`, () => {
    let under: ProviderUnderTest;
    let provider: VmProvider;
    let vmKey: string;
    let dir: string;
    const can = (operation: VmOperation) => provider.supports.has(operation);

    beforeAll(async () => {
      under = await setup();
      ({ provider, vmKey } = under);
      dir = await mkdtemp(join(tmpdir(), 'wagate-apk-'));
    });
    afterAll(async () => {
      await under?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('lists its VM as running and says so when asked about it', async () => {
      expect(await provider.list()).toContainEqual({ vmKey, state: 'running' });
      expect(await provider.health(vmKey)).toEqual({ vmKey, state: 'running' });
    });

    it('refuses a VM it does not have, for every operation', async () => {
      await expect(provider.health('no-such-vm')).rejects.toBeInstanceOf(VmNotFoundError);
      for (const operation of vmOperations.filter(can)) {
        const call = provider[operation] as (key: string, arg: string) => Promise<unknown>;
        await expect(call('no-such-vm', 'snap1'), operation).rejects.toBeInstanceOf(VmNotFoundError);
      }
    });

    it('says which operations it cannot do, and refuses them as such', async () => {
      for (const operation of vmOperations.filter((op) => !can(op))) {
        const call = provider[operation] as (key: string, arg: string) => Promise<unknown>;
        await expect(call(vmKey, 'snap1'), operation).rejects.toBeInstanceOf(VmUnsupportedError);
      }
    });

    it('restarts the VM: it boots again and runs when the restart resolves', async () => {
      if (!can('restart')) return;
      const before = await under.boots(vmKey);
      await provider.restart(vmKey);
      expect(await under.boots(vmKey)).toBe(before + 1);
      expect(await provider.health(vmKey)).toEqual({ vmKey, state: 'running' });
    });

    it('reboots Android: it boots again and runs when the reboot resolves', async () => {
      if (!can('rebootAndroid')) return;
      const before = await under.boots(vmKey);
      await provider.rebootAndroid(vmKey);
      expect(await under.boots(vmKey)).toBe(before + 1);
      expect(await provider.health(vmKey)).toEqual({ vmKey, state: 'running' });
    });

    it('stops the VM and starts it again', async () => {
      if (!can('stop') || !can('start')) return;
      await provider.stop(vmKey);
      expect(await provider.health(vmKey)).toEqual({ vmKey, state: 'stopped' });
      expect(await provider.list()).toContainEqual({ vmKey, state: 'stopped' });
      const before = await under.boots(vmKey);
      await provider.start(vmKey);
      expect(await under.boots(vmKey)).toBe(before + 1);
      expect(await provider.health(vmKey)).toEqual({ vmKey, state: 'running' });
    });

    it('installs an APK, and refuses a file that is not one without installing anything', async () => {
      if (!can('installApk')) return;
      const apk = await apkFile(dir, 'whatsapp-a');
      await provider.installApk(vmKey, apk.path);
      expect(await under.installed(vmKey)).toContain(apk.sha256);

      const before = await under.installed(vmKey);
      const notApk = join(dir, 'not-an.apk');
      await writeFile(notApk, '<html>an error page, not an APK</html>');
      await expect(provider.installApk(vmKey, notApk)).rejects.toThrow(/not.*apk/i);
      expect(await under.installed(vmKey)).toEqual(before);
    });

    it('restores a snapshot: what was installed after it is gone and the VM runs', async () => {
      if (!can('saveSnapshot') || !can('restoreSnapshot') || !can('installApk')) return;
      const kept = await apkFile(dir, 'kept');
      const undone = await apkFile(dir, 'undone');
      await provider.installApk(vmKey, kept.path);
      await provider.saveSnapshot(vmKey, 'known-good');
      await provider.installApk(vmKey, undone.path);
      expect(await under.installed(vmKey)).toContain(undone.sha256);

      await provider.restoreSnapshot(vmKey, 'known-good');
      const installed = await under.installed(vmKey);
      expect(installed).toContain(kept.sha256);
      expect(installed).not.toContain(undone.sha256);
      expect(await provider.health(vmKey)).toEqual({ vmKey, state: 'running' });
    });

    it('refuses a snapshot that does not exist, and keeps the VM it would have replaced', async () => {
      if (!can('restoreSnapshot')) return;
      await expect(provider.restoreSnapshot(vmKey, 'never-saved')).rejects.toThrow(/never-saved/);
      expect(await provider.health(vmKey)).toEqual({ vmKey, state: 'running' });
    });

    it('refuses a snapshot name that would reach a command line as something else', async () => {
      if (!can('saveSnapshot')) return;
      await expect(provider.saveSnapshot(vmKey, '--all; rm -rf /')).rejects.toThrow(/snapshot name/);
    });

    it('takes a screenshot as a PNG', async () => {
      if (!can('screenshot')) return;
      const png = await provider.screenshot(vmKey);
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(png.length).toBeGreaterThan(PNG_SIGNATURE.length);
    });
  });
}
