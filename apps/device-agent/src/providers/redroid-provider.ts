import { runCli } from '../cli.js';
import { type AndroidVmOptions, createAndroidVm } from './android-vm.js';
import {
  checkSnapshotName,
  VmNotFoundError,
  type VmProvider,
  type VmState,
  vmOperations,
} from './vm-provider.js';

export interface RedroidVm {
  /** The container's name. */
  name: string;
  /** The host port its adbd (5555 inside) is published on: adb reaches it as `<adbHost>:<port>`. */
  adbPort: number;
}

export interface RedroidProviderOptions extends AndroidVmOptions {
  vms: RedroidVm[];
  /** e.g. `redroid/redroid:14.0.0-latest`. */
  image: string;
  /** The container CLI: `docker`, or `podman` (same commands). */
  containerCli?: string;
  /** The address the adb ports are published on. */
  adbHost?: string;
  /** More `run` arguments (e.g. `--memory 3g`, redroid's `androidboot.…` properties go after the image: not supported). */
  runArgs?: string[];
}

/** Where a container's snapshots are kept: an image per snapshot, `wagate-snapshot/<name>:<snapshot>`. */
export const redroidSnapshotImage = (name: string, snapshot: string) =>
  `wagate-snapshot/${name.toLowerCase()}:${checkSnapshotName(snapshot)}`;

/**
 * redroid (Android in a container) on this host, through the container CLI: `docker run -d
 * --privileged --name NAME -p HOST:PORT:5555 IMAGE`, `docker start|stop|restart NAME`, and a
 * snapshot is `docker commit NAME wagate-snapshot/NAME:SNAPSHOT`; restoring replaces the
 * container by one run from that image. The container is run without a volume on /data so
 * that the commit holds WhatsApp's data. A VM's key is its adb serial, `<adbHost>:<port>`.
 */
export function createRedroidProvider(options: RedroidProviderOptions): VmProvider {
  const android = createAndroidVm(options);
  const cli = options.containerCli ?? 'docker';
  const adbHost = options.adbHost ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 120_000;
  const serialOf = (vm: RedroidVm) => `${adbHost}:${vm.adbPort}`;
  const byKey = new Map(options.vms.map((vm) => [serialOf(vm), vm]));
  for (const vm of options.vms) {
    if (!/^[A-Za-z0-9][\w.-]{0,62}$/.test(vm.name))
      throw new RangeError(`invalid container name "${vm.name}"`);
  }
  const container = (argv: string[]) => runCli(cli, argv, { timeoutMs });

  function vmOf(vmKey: string): RedroidVm {
    const vm = byKey.get(vmKey);
    if (!vm) throw new VmNotFoundError(vmKey);
    return vm;
  }

  /** `running`, `exited`, `created`, …, or undefined when there is no such container. */
  async function containerState(vm: RedroidVm): Promise<string | undefined> {
    const answer = await container(['inspect', '--format', '{{.State.Status}}', vm.name]).catch(
      () => undefined,
    );
    return answer?.trim() || undefined;
  }

  async function state(vmKey: string): Promise<VmState> {
    const vm = vmOf(vmKey);
    if ((await containerState(vm)) !== 'running') return 'stopped';
    // The container runs; until adb reaches Android inside, it is booting.
    const inside = await android.state(vmKey);
    return inside === 'stopped' ? 'booting' : inside;
  }

  async function runFrom(vm: RedroidVm, image: string): Promise<void> {
    await container([
      'run',
      '--detach',
      '--privileged',
      '--name',
      vm.name,
      '--publish',
      `${adbHost}:${vm.adbPort}:5555`,
      ...(options.runArgs ?? []),
      image,
    ]);
  }

  async function untilBooted(vmKey: string): Promise<void> {
    await android.connect(vmKey);
    await android.waitForBoot(vmKey);
  }

  return {
    kind: 'redroid',
    supports: new Set(vmOperations),
    async list() {
      return Promise.all([...byKey.keys()].map(async (vmKey) => ({ vmKey, state: await state(vmKey) })));
    },
    async health(vmKey) {
      return { vmKey, state: await state(vmKey) };
    },
    async start(vmKey) {
      const vm = vmOf(vmKey);
      const current = await containerState(vm);
      if (current === undefined) await runFrom(vm, options.image);
      else if (current !== 'running') await container(['start', vm.name]);
      await untilBooted(vmKey);
    },
    async stop(vmKey) {
      const vm = vmOf(vmKey);
      if ((await containerState(vm)) === 'running') await container(['stop', vm.name]);
    },
    async restart(vmKey) {
      const vm = vmOf(vmKey);
      if ((await containerState(vm)) === undefined) await runFrom(vm, options.image);
      else await container(['restart', vm.name]);
      await untilBooted(vmKey);
    },
    async rebootAndroid(vmKey) {
      vmOf(vmKey);
      await android.reboot(vmKey);
      await untilBooted(vmKey);
    },
    async saveSnapshot(vmKey, name) {
      const vm = vmOf(vmKey);
      await container(['commit', vm.name, redroidSnapshotImage(vm.name, name)]);
    },
    async restoreSnapshot(vmKey, name) {
      const vm = vmOf(vmKey);
      const image = redroidSnapshotImage(vm.name, name);
      // Checked first: a missing snapshot must not cost the VM it would replace.
      await container(['image', 'inspect', '--format', '{{.Id}}', image]).catch(() => {
        throw new Error(`no snapshot ${name} of ${vm.name} (image ${image})`);
      });
      await container(['rm', '--force', vm.name]);
      await runFrom(vm, image);
      await untilBooted(vmKey);
    },
    async installApk(vmKey, apkPath) {
      vmOf(vmKey);
      await android.install(vmKey, apkPath);
    },
    async screenshot(vmKey) {
      vmOf(vmKey);
      return android.screenshot(vmKey);
    },
  };
}
