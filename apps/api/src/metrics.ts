import { defineInstruments, SECONDS_BUCKETS } from '@wagate/telemetry';

/**
 * The api's instruments (docs/operations.md lists them): the OpenTelemetry HTTP server
 * duration by method, route template and status, and the accept path's messages by result.
 */
export const apiMetrics = defineInstruments('api', (meter) => ({
  requestDuration: meter.createHistogram('http.server.request.duration', {
    description: 'HTTP requests served, by method, route template and status code',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  }),
  acceptedMessages: meter.createCounter('wagate.accept.messages', {
    description:
      'Messages in send requests by result (accepted or rejected) and error key (empty when accepted)',
  }),
}));
