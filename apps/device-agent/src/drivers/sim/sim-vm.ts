import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { solidColourPng } from '../../providers/png.js';
import { checkSnapshotName, type VmState } from '../../providers/vm-provider.js';

export interface SimVmOptions {
  /** How long a restart, reboot, start or snapshot restore keeps the phone away. Default 2 s. */
  bootMs?: number;
}

/**
 * The VM under a sim phone: it can be stopped, started, restarted (away for `bootMs`, during
 * which sends wait and heartbeats fail), snapshotted, given APKs and photographed.
 */
export interface SimVm {
  state(): VmState;
  /** Resolves when the phone runs (at once when it does). */
  whenRunning(): Promise<void>;
  start(): Promise<void>;
  stop(): void;
  restart(): Promise<void>;
  saveSnapshot(name: string): void;
  restoreSnapshot(name: string): Promise<void>;
  installApk(apkPath: string): Promise<void>;
  /** SHA-256 of each APK installed, oldest first. */
  installed(): string[];
  /** Boots so far, the first one included. */
  boots(): number;
  screenshot(): Buffer;
  close(): void;
}

const screen = solidColourPng(36, 64, [7, 94, 84]);

export function createSimVm(deviceKey: string, options: SimVmOptions = {}): SimVm {
  const bootMs = options.bootMs ?? 2_000;
  let state: VmState = 'running';
  let installed: string[] = [];
  let boots = 1;
  const snapshots = new Map<string, string[]>();
  let booting: { timer: NodeJS.Timeout; done: Promise<void>; finish: () => void } | undefined;
  let waiters: Array<() => void> = [];

  function running(): void {
    state = 'running';
    boots += 1;
    booting = undefined;
    for (const wake of waiters) wake();
    waiters = [];
  }

  function boot(): Promise<void> {
    if (booting) return booting.done;
    state = 'booting';
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const timer = setTimeout(() => {
      running();
      finish();
    }, bootMs);
    booting = { timer, done, finish };
    return done;
  }

  function mustRun(what: string): void {
    if (state !== 'running') throw new Error(`${deviceKey}: cannot ${what} while the VM is ${state}`);
  }

  return {
    state: () => state,
    whenRunning: () =>
      state === 'running' ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve)),
    start: () => (state === 'running' ? Promise.resolve() : boot()),
    stop() {
      if (booting) {
        clearTimeout(booting.timer);
        booting.finish();
        booting = undefined;
      }
      state = 'stopped';
    },
    restart: () => boot(),
    saveSnapshot(name) {
      mustRun('save a snapshot');
      snapshots.set(checkSnapshotName(name), [...installed]);
    },
    restoreSnapshot(name) {
      const saved = snapshots.get(checkSnapshotName(name));
      if (!saved) return Promise.reject(new Error(`${deviceKey}: no snapshot ${name}`));
      installed = [...saved];
      return boot();
    },
    async installApk(apkPath) {
      mustRun('install an APK');
      const bytes = await readFile(apkPath);
      // An APK is a zip: what Android's package parser would refuse at once, the sim refuses too.
      if (bytes.subarray(0, 2).toString('latin1') !== 'PK')
        throw new Error(`${deviceKey}: ${apkPath} is not an APK`);
      installed.push(createHash('sha256').update(bytes).digest('hex'));
    },
    installed: () => [...installed],
    boots: () => boots,
    screenshot() {
      mustRun('take a screenshot');
      return screen;
    },
    close() {
      if (booting) {
        clearTimeout(booting.timer);
        booting.finish();
      }
      for (const wake of waiters) wake();
    },
  };
}
