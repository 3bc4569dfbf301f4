/**
 * The VMs (or phones) of one agent host, as the agent manages them: an Android SDK emulator,
 * redroid containers, a site's own command, or phones it does not manage at all (`static`).
 * A VM is named by its `vmKey`, which is the device key its driver registers with the fleet
 * (the adb serial), so a fleet command for a device reaches the VM under it.
 */
export interface VmProvider {
  /** `emulator`, `redroid`, `static`, `command` or `sim`. */
  readonly kind: VmProviderKind;
  /** What it can do; any other operation rejects with {@link VmUnsupportedError}. */
  readonly supports: ReadonlySet<VmOperation>;
  /** Every VM it knows, with its state. */
  list(): Promise<VmStatus[]>;
  health(vmKey: string): Promise<VmStatus>;
  /** Resolves once Android has booted. */
  start(vmKey: string): Promise<void>;
  stop(vmKey: string): Promise<void>;
  /** Restarts the whole VM; resolves once Android has booted again. */
  restart(vmKey: string): Promise<void>;
  /** Reboots Android inside the VM (`adb reboot`); resolves once it has booted again. */
  rebootAndroid(vmKey: string): Promise<void>;
  saveSnapshot(vmKey: string, name: string): Promise<void>;
  /** Brings the VM back to a saved snapshot; resolves once Android runs. */
  restoreSnapshot(vmKey: string, name: string): Promise<void>;
  /** Installs or updates an APK file of this host (`adb install -r`). */
  installApk(vmKey: string, apkPath: string): Promise<void>;
  /** The screen now, as PNG bytes. */
  screenshot(vmKey: string): Promise<Buffer>;
}

export type VmProviderKind = 'emulator' | 'redroid' | 'static' | 'command' | 'sim';

export const vmOperations = [
  'start',
  'stop',
  'restart',
  'rebootAndroid',
  'saveSnapshot',
  'restoreSnapshot',
  'installApk',
  'screenshot',
] as const;
export type VmOperation = (typeof vmOperations)[number];

/** `running`: Android has booted; `booting`: the VM runs, Android not yet; `stopped`: off. */
export type VmState = 'running' | 'booting' | 'stopped';

export interface VmStatus {
  vmKey: string;
  state: VmState;
}

/** The provider cannot do this (e.g. restart a phone the agent does not manage). */
export class VmUnsupportedError extends Error {
  override name = 'VmUnsupportedError';

  constructor(kind: VmProviderKind, operation: VmOperation) {
    super(`the ${kind} VM provider cannot ${operation}`);
  }
}

/** No VM of that key on this host. */
export class VmNotFoundError extends Error {
  override name = 'VmNotFoundError';

  constructor(vmKey: string) {
    super(`no VM ${vmKey} on this host`);
  }
}

/**
 * A snapshot name goes into command lines and image tags: a letter or digit, then letters,
 * digits, `.`, `_` and `-`.
 */
export function checkSnapshotName(name: string): string {
  if (!/^[A-Za-z0-9][\w.-]{0,63}$/.test(name)) {
    throw new RangeError(
      `snapshot name "${name}" must be a letter or digit then up to 63 letters, digits, ".", "_" or "-"`,
    );
  }
  return name;
}

/** The operations of `kind` outside `supported` reject with {@link VmUnsupportedError}. */
export function unsupportedOperations(
  kind: VmProviderKind,
  supported: readonly VmOperation[],
): Pick<VmProvider, VmOperation> {
  const fail = (operation: VmOperation) => () => Promise.reject(new VmUnsupportedError(kind, operation));
  return Object.fromEntries(
    vmOperations.filter((operation) => !supported.includes(operation)).map((op) => [op, fail(op)]),
  ) as unknown as Pick<VmProvider, VmOperation>;
}
