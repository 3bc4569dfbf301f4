export { type Agent, type AgentOptions, startAgent } from './agent.js';
export {
  type AdbConfig,
  type AdbDeviceConfig,
  type AgentConfig,
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
  SendJob,
  SendOutcome,
} from './driver.js';
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
  createSimDriver,
  type Delay,
  type DelayRange,
  type DisconnectOptions,
  type LogNormalDelay,
  REALISTIC_SIM,
  type SimDriver,
  type SimDriverOptions,
} from './drivers/sim/sim-driver.js';
export { createSimDrivers, type SimDriversOptions } from './drivers/sim/sim-drivers.js';
