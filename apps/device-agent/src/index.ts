export { type Agent, type AgentOptions, startAgent } from './agent.js';
export {
  type AdbConfig,
  type AdbDeviceConfig,
  type AgentConfig,
  type AutomationConfig,
  readAgentConfig,
  type SimConfig,
} from './config.js';
export type {
  DeviceDriver,
  DeviceHealth,
  DeviceInbound,
  DeviceInfo,
  DeviceReceipt,
  ReceiptKind,
  PhoneRecord,
  SendJob,
  SendOutcome,
} from './driver.js';
export { fileJournal, type JobJournal, type JournalEntry, memoryJournal, type StartedJob } from './journal.js';
export { INTERRUPTED_SEND } from './job-result.js';
export {
  type AdbDriver,
  type AdbDriverOptions,
  type AdbTimeouts,
  createAdbDriver,
  defaultAdbTimeouts,
  openAdbDriver,
  type WhatsAppPackage,
} from './drivers/adb/adb-driver.js';
export {
  type AutomationDriver,
  type AutomationDriverOptions,
  type AutomationPhone,
  createAutomationDriver,
  defaultDeadlines,
  type NotificationAnswer,
} from './drivers/automation/automation-driver.js';
export {
  type AutomationServer,
  type AutomationServerOptions,
  startAutomationServer,
} from './drivers/automation/automation-server.js';
export {
  type NotifiedMessage,
  type ParsedNotification,
  parseWhatsAppNotification,
  type RawNotification,
} from './drivers/automation/notification-parser.js';
export { type JobDeadlines, notOnWhatsAppError, type PhoneReport } from './drivers/automation/phone-jobs.js';
export { tokenSha256 } from './drivers/automation/phone-tokens.js';
export {
  createSimDriver,
  type Delay,
  type DelayRange,
  type DisconnectOptions,
  type LogNormalDelay,
  REALISTIC_SIM,
  readSimSentRecord,
  type SimDriver,
  type SimSentRecord,
  type SimDriverOptions,
} from './drivers/sim/sim-driver.js';
export { createSimDrivers, type SimDriversOptions } from './drivers/sim/sim-drivers.js';
export { type CredentialStore, fileCredentialStore, memoryCredentialStore } from './credential-store.js';
export type { AgentVms } from './commands/agent-vms.js';
export { type VmConfig, openHostVms, readVmConfig } from './providers/provider-config.js';
export { type VmBudget, VmCapacityError, vmCapacity, withCapacity } from './providers/capacity.js';
export { createSimProvider } from './providers/sim-provider.js';
export {
  type VmOperation,
  type VmProvider,
  type VmState,
  type VmStatus,
  VmNotFoundError,
  VmUnsupportedError,
} from './providers/vm-provider.js';
