import { createKeySerializer } from './key-serializer.js';
import type { Delivery, DeliveryHandler } from './port.js';
import { redeliveryDelayMs } from './redelivery-backoff.js';

/** How a delivery is settled with whatever handed it over (JetStream message or memory group). */
export interface DeliveryReceipt {
  ack(): void;
  /** Hand the delivery back for redelivery after `delayMs`. */
  nak(delayMs: number): void;
}

/**
 * One consumer-group member's side of delivery, shared by both adapters: runs the handler
 * with per-key serialisation and a bound on deliveries held, acks when it resolves and naks
 * with a growing backoff when it throws.
 */
export interface DeliveryWorker {
  /** True when the member already holds `maxInFlight` deliveries and must not take more. */
  readonly full: boolean;
  whenNotFull(): Promise<void>;
  /** Resolves once the delivery is settled and its slot is free again. */
  accept(delivery: Delivery, receipt: DeliveryReceipt): Promise<void>;
  /** Hands back deliveries not yet started (nak without delay), waits for running handlers. */
  close(): Promise<void>;
}

export function createDeliveryWorker<T>(handler: DeliveryHandler<T>, maxInFlight: number): DeliveryWorker {
  const serializer = createKeySerializer(maxInFlight);

  const settle = async (delivery: Delivery, receipt: DeliveryReceipt): Promise<void> => {
    try {
      await handler(delivery as Delivery<T>);
    } catch {
      // The port promises redelivery, not error reporting: handlers log their own failures.
      receipt.nak(redeliveryDelayMs(delivery.deliveryCount));
      return;
    }
    receipt.ack();
  };

  return {
    get full() {
      return serializer.full;
    },
    whenNotFull: () => serializer.whenNotFull(),
    accept: (delivery, receipt) =>
      serializer.submit(
        delivery.key,
        () => settle(delivery, receipt),
        () => receipt.nak(0),
      ),
    close: () => serializer.close(),
  };
}
