/** What a VM command can do, by the name it is stored and shown under, with its default time limit. */
export const vmActions = {
  restart_vm: { name: 'restart_vm', timeoutMs: 5 * 60_000 },
  reboot_android: { name: 'reboot_android', timeoutMs: 5 * 60_000 },
  restore_snapshot: { name: 'restore_snapshot', timeoutMs: 10 * 60_000 },
  install_apk: { name: 'install_apk', timeoutMs: 15 * 60_000 },
  screenshot: { name: 'screenshot', timeoutMs: 60_000 },
} as const;

export type KnownVmAction = keyof typeof vmActions;

/** Undefined or an unknown name: no action was asked for. */
export function isKnownVmAction(action: string | undefined): action is KnownVmAction {
  return action !== undefined && Object.hasOwn(vmActions, action);
}
