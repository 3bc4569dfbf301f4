import type { fleet } from '@wagate/contracts';

/** A device whose agent is connected to this fleet process right now. */
export interface ConnectedDevice {
  deviceId: string;
  senderId: string | null;
  /**
   * The agent stream this process holds the device on (`devices.agent_stream_id` as it wrote it
   * on connect). Jobs are claimed for the device only while the row still names this stream:
   * once the agent has connected elsewhere, this entry is stale. Undefined: a device made
   * outside the agent gateway (tests), whose row names no stream.
   */
  streamId?: string;
  /** Jobs the agent has room for (credit-based flow control: never more offers than credits). */
  credits: number;
  /**
   * False while the device may not take new jobs: not online (or degraded), or quarantined,
   * draining or banned. Kept current by the health state machine; the scheduler skips such
   * devices. Undefined (a device made outside the agent gateway) counts as accepting.
   */
  accepting?: boolean;
  offer(offer: fleet.JobOffer): void;
}

/** The devices connected to this process, by id. A reconnect replaces the old entry. */
export class DeviceSessions {
  readonly #devices = new Map<string, ConnectedDevice>();

  attach(device: ConnectedDevice): void {
    this.#devices.set(device.deviceId, device);
  }

  /** Detaches only if `device` is still the current entry (a newer stream may have replaced it). */
  detach(device: ConnectedDevice): void {
    if (this.#devices.get(device.deviceId) === device) this.#devices.delete(device.deviceId);
  }

  get(deviceId: string): ConnectedDevice | undefined {
    return this.#devices.get(deviceId);
  }

  withCredit(): ConnectedDevice[] {
    return [...this.#devices.values()].filter((device) => device.credits > 0 && device.senderId !== null);
  }

  /** A device bound to another sender takes that sender's jobs from its next offer on. */
  rebind(deviceId: string, senderId: string): void {
    const device = this.#devices.get(deviceId);
    if (device) device.senderId = senderId;
  }

  get size(): number {
    return this.#devices.size;
  }
}
