export { type Agent, type AgentOptions, startAgent } from './agent.js';
export { type AgentConfig, readAgentConfig } from './config.js';
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
  createSimDriver,
  type DelayRange,
  type SimDriver,
  type SimDriverOptions,
} from './drivers/sim/sim-driver.js';
export { createSimDrivers, type SimDriversOptions } from './drivers/sim/sim-drivers.js';
