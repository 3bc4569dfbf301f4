import {
  type Attributes,
  contextFromHeaders,
  createLogger,
  defineInstruments,
  inSpan,
  SpanKind,
} from '@wagate/telemetry';
import type { Delivery, DeliveryHandler } from './port.js';

const log = createLogger('bus');

const busMetrics = defineInstruments('bus', (meter) => ({
  redeliveries: meter.createCounter('wagate.bus.redeliveries', {
    description: 'Deliveries handled again after a failure or a lost ack, by handler',
  }),
}));

/**
 * Wraps a consumer's handler: the work runs in a span that continues the publisher's trace
 * (from the delivery's headers), a failure is logged before the bus redelivers it, and each
 * redelivery is counted in `wagate.bus.redeliveries`.
 */
export function tracedHandler<T>(
  spanName: string,
  attributes: (delivery: Delivery<T>) => Attributes,
  handle: (data: T, delivery: Delivery<T>) => Promise<void>,
): DeliveryHandler<T> {
  return (delivery) =>
    inSpan(
      spanName,
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(delivery.headers),
        attributes: attributes(delivery),
      },
      async () => {
        if (delivery.deliveryCount > 1) busMetrics().redeliveries.add(1, { handler: spanName });
        try {
          await handle(delivery.data, delivery);
        } catch (error) {
          log.warn(
            {
              err: error,
              topic: delivery.topic,
              eventId: delivery.id,
              deliveryCount: delivery.deliveryCount,
              handler: spanName,
            },
            'event handling failed; it will be redelivered',
          );
          throw error;
        }
      },
    );
}
