import { fleet } from '@wagate/contracts';

const { VmAction } = fleet;

/** How each action is stored and shown, and how long it may take by default. */
export const vmActions = {
  [VmAction.VM_ACTION_RESTART_VM]: { name: 'restart_vm', timeoutMs: 5 * 60_000 },
  [VmAction.VM_ACTION_REBOOT_ANDROID]: { name: 'reboot_android', timeoutMs: 5 * 60_000 },
  [VmAction.VM_ACTION_RESTORE_SNAPSHOT]: { name: 'restore_snapshot', timeoutMs: 10 * 60_000 },
  [VmAction.VM_ACTION_INSTALL_APK]: { name: 'install_apk', timeoutMs: 15 * 60_000 },
  [VmAction.VM_ACTION_SCREENSHOT]: { name: 'screenshot', timeoutMs: 60_000 },
} as const satisfies Partial<Record<fleet.VmAction, { name: string; timeoutMs: number }>>;

export type KnownVmAction = keyof typeof vmActions;

export function isKnownVmAction(action: fleet.VmAction): action is KnownVmAction {
  return action in vmActions;
}

export function vmActionOf(name: string): fleet.VmAction {
  const found = Object.entries(vmActions).find(([, action]) => action.name === name);
  return found ? fleet.vmActionFromJSON(found[0]) : VmAction.VM_ACTION_UNSPECIFIED;
}
