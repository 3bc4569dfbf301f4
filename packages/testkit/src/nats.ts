import { randomBytes } from 'node:crypto';

/** The NATS server tests use: `NATS_URL`, else the machine's own on 127.0.0.1:4222. */
export function natsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

/** A stream name and subject prefix no other test run uses, so runs never see each other's events. */
export function isolatedBusNames(): { streamName: string; subjectPrefix: string } {
  const suffix = randomBytes(4).toString('hex');
  return { streamName: `WAGATE_T_${suffix.toUpperCase()}`, subjectPrefix: `wagate_t_${suffix}` };
}
