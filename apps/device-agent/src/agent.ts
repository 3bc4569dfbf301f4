import { fleet } from '@wagate/contracts';
import { type AgentPlaneClientSecurity, agentPlaneClient, ClientError, Status } from '@wagate/rpc';
import {
  contextFromHeaders,
  createLogger,
  currentTraceparent,
  inSpan,
  type Logger,
  SpanKind,
} from '@wagate/telemetry';
import { type BackoffRange, backoffDelay, sleep } from './backoff.js';
import { type AgentVms, startAgentVms } from './commands/agent-vms.js';
import { BoundedMap } from './bounded-map.js';
import { type CredentialStore, memoryCredentialStore } from './credential-store.js';
import type { DeviceDriver, DeviceInbound, DeviceReceipt } from './driver.js';
import { attemptSend, outcomeOfInterruptedSend, toJobResult } from './job-result.js';
import { type JobJournal, memoryJournal } from './journal.js';
import { Outbox, type OutboxItem, type StreamState } from './outbox.js';

export interface AgentOptions {
  /**
   * `host:port` of fleet's agent plane (its AgentGatewayService listener), or an ordered list of
   * the fleet replicas' listeners: a stream that fails or ends moves the agent to the next one.
   */
  fleetAddress: string | readonly string[];
  /** TLS to fleet: the CA its agent-plane certificate chains to (docs/security.md). */
  fleetSecurity: AgentPlaneClientSecurity;
  agentId: string;
  /** Used while the agent has no credential (its first connection, or after a refused one). */
  enrolmentToken: string;
  /** Where the credential from the fleet's welcome is kept; default: memory only. */
  credentials?: CredentialStore;
  drivers: DeviceDriver[];
  heartbeatIntervalMs?: number;
  /** Backoff between reconnect attempts: it grows with each full round of the addresses that failed. */
  reconnect?: BackoffRange;
  /** Completed jobs (and sent messages' traces) remembered, to answer repeated offers. */
  rememberJobs?: number;
  /**
   * Jobs started and finished (default: in memory). A file journal (`fileJournal`) lets an agent
   * that restarts answer re-offered jobs from it and never send a job it may have sent.
   */
  journal?: JobJournal;
  /** Results, receipts and inbound messages held while the fleet is unreachable. */
  maxPending?: number;
  /** The host's VMs: the fleet's VM commands run on them; default: static, nothing managed. */
  vms?: AgentVms;
  logger?: Logger;
}

export interface Agent {
  /** Ends the stream and the timers, and waits for sends in progress to finish. */
  stop(): Promise<void>;
  /** True while a stream is up and the fleet has welcomed the agent. */
  connected(): boolean;
}

/** A device as the agent tracks it: its id comes from the fleet's welcome on each stream. */
interface Device {
  readonly driver: DeviceDriver;
  deviceId: string | undefined;
  /** Jobs running on it; normally 0 or 1, since it never gets more than one credit. */
  busy: number;
}

interface Stream extends StreamState {
  heartbeat?: NodeJS.Timeout;
}

const receiptKinds = {
  DELIVERED: fleet.ReceiptKind.RECEIPT_KIND_DELIVERED,
  READ: fleet.ReceiptKind.RECEIPT_KIND_READ,
} as const;

/**
 * Connects a host's devices to the fleet over one `Connect` stream and keeps it up: says
 * hello, grants one credit per idle device, runs offered jobs, reports results, receipts
 * and inbound messages, and reconnects with backoff when the stream goes away.
 */
export function startAgent(options: AgentOptions): Agent {
  const log = options.logger ?? createLogger('device-agent');
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 10_000;
  const reconnect = options.reconnect ?? { minMs: 500, maxMs: 30_000 };
  const remember = options.rememberJobs ?? 10_000;
  const fleetAddresses =
    typeof options.fleetAddress === 'string' ? [options.fleetAddress] : [...options.fleetAddress];
  if (fleetAddresses.length === 0) throw new Error('the agent needs at least one fleet address');
  const clients = fleetAddresses.map((address) =>
    agentPlaneClient(fleet.AgentGatewayServiceDefinition, address, options.fleetSecurity),
  );
  const credentials = options.credentials ?? memoryCredentialStore();
  let credential = credentials.load();

  const devices: Device[] = options.drivers.map((driver) => ({ driver, deviceId: undefined, busy: 0 }));
  const byKey = new Map(devices.map((device) => [device.driver.info.deviceKey, device]));
  if (byKey.size !== devices.length) throw new Error('every driver needs its own deviceKey');
  let byId = new Map<string, Device>();

  const journal = options.journal ?? memoryJournal(remember);
  const running = new Set<string>();
  // So a receipt joins the trace of the send it ticks.
  const sendTraces = new BoundedMap<string, string>(remember);
  const jobs = new Set<Promise<void>>();
  const outbox = new Outbox(options.maxPending ?? 10_000, (item) =>
    log.warn({ message: item.label }, 'dropped a message the fleet will not receive'),
  );
  const stopper = new AbortController();
  let stream: Stream | undefined;
  const vmCommands = startAgentVms(options.vms, {
    deviceKeys: devices.map((device) => device.driver.info.deviceKey),
    deviceKeyOf: (deviceId) => byId.get(deviceId)?.driver.info.deviceKey,
    report: (result) =>
      outbox.push({
        label: 'vm result',
        durable: true,
        build: () => ({ kind: { $case: 'vmResult', value: result } }),
      }),
    logger: log,
  });

  for (const device of devices) {
    device.driver.onReceipt((receipt) => outbox.push(receiptItem(device, receipt)));
    device.driver.onInbound((message) => outbox.push(inboundItem(device, message)));
  }

  function receiptItem(device: Device, receipt: DeviceReceipt): OutboxItem {
    const traceparent = sendTraces.get(receipt.messageId) ?? '';
    return {
      label: 'receipt',
      durable: true,
      build: () =>
        device.deviceId === undefined
          ? undefined
          : {
              kind: {
                $case: 'receipt',
                value: {
                  deviceId: device.deviceId,
                  messageId: receipt.messageId,
                  kind: receiptKinds[receipt.kind],
                  atMs: String(receipt.atMs),
                  traceparent,
                },
              },
            },
    };
  }

  function inboundItem(device: Device, message: DeviceInbound): OutboxItem {
    return {
      label: 'inbound',
      durable: true,
      build: () =>
        device.deviceId === undefined
          ? undefined
          : {
              kind: {
                $case: 'inbound',
                value: {
                  ...message,
                  contacts: message.contacts ?? [],
                  deviceId: device.deviceId,
                  atMs: String(message.atMs),
                },
              },
            },
    };
  }

  function resultItem(result: fleet.JobResult): OutboxItem {
    return { label: 'result', durable: true, build: () => ({ kind: { $case: 'result', value: result } }) };
  }

  function isUp(): boolean {
    return stream?.welcomed === true && !stream.closed;
  }

  /** Only the stream that is up may carry credits and heartbeats: the next one starts afresh. */
  function pushToStream(message: fleet.AgentMessage): void {
    if (isUp()) {
      outbox.push({ label: message.kind?.$case ?? 'message', durable: false, build: () => message });
    }
  }

  function grantCredit(device: Device | undefined): void {
    if (device?.deviceId === undefined) return;
    pushToStream({ kind: { $case: 'credit', value: { deviceId: device.deviceId, credits: 1 } } });
  }

  function sendHeartbeats(): void {
    for (const device of devices) {
      const { deviceId } = device;
      if (deviceId === undefined) continue;
      device.driver.heartbeat().then(
        (health) => pushToStream({ kind: { $case: 'heartbeat', value: { ...health, deviceId } } }),
        (error) => log.warn({ err: error, deviceKey: device.driver.info.deviceKey }, 'heartbeat failed'),
      );
    }
    vmCommands.hostReport().then(
      (host) => pushToStream({ kind: { $case: 'host', value: host } }),
      (error) => log.warn({ err: error }, 'host report failed'),
    );
  }

  function onWelcome(current: Stream, welcome: fleet.AgentWelcome, fleetAddress: string): void {
    if (current.welcomed) {
      log.warn('ignored a second welcome on the same stream');
      return;
    }
    if (welcome.credential) {
      // Persisted before anything else: the next hello needs it (the old one only has a grace).
      try {
        credentials.save(welcome.credential);
      } catch (error) {
        log.error(
          { err: error },
          'could not keep the credential from the welcome; the next start enrols again',
        );
      }
      credential = welcome.credential;
    }
    byId = new Map();
    for (const device of devices) device.deviceId = undefined;
    for (const registered of welcome.devices) {
      const device = byKey.get(registered.deviceKey);
      if (!device) continue;
      device.deviceId = registered.deviceId;
      byId.set(registered.deviceId, device);
    }
    for (const device of devices) {
      if (device.deviceId === undefined) {
        log.warn({ deviceKey: device.driver.info.deviceKey }, 'the fleet did not register this device');
      }
    }
    current.welcomed = true;
    current.acksReports = welcome.acksReports === true;
    log.info({ devices: byId.size, fleetAddress }, 'welcomed by the fleet');
    // One job at a time per device, so a slow phone is never flooded: one credit per idle
    // device now, one more each time a job finishes.
    for (const device of devices) if (device.busy === 0) grantCredit(device);
    sendHeartbeats();
    current.heartbeat = setInterval(sendHeartbeats, heartbeatIntervalMs);
    outbox.notify();
  }

  function onOffer(offer: fleet.JobOffer): void {
    const known = journal.lookup(offer.jobId);
    if (known?.state === 'finished') {
      // The fleet missed our result (it was in flight when the stream broke, or this agent or
      // the fleet restarted): answer again from the journal, never by sending twice. The offer
      // spent a credit; give it back.
      log.info({ jobId: offer.jobId }, 'repeated offer for a finished job: re-sending its result');
      outbox.push(resultItem(known.result));
      grantCredit(byId.get(offer.deviceId));
      return;
    }
    if (running.has(offer.jobId)) {
      log.info({ jobId: offer.jobId }, 'repeated offer for a job in progress: ignored');
      return;
    }
    const device = byId.get(offer.deviceId);
    if (!device) {
      log.warn(
        { jobId: offer.jobId, deviceId: offer.deviceId },
        'offer for a device this agent does not drive',
      );
      return;
    }
    // Started by an earlier run of this agent that died before finishing it: the phone decides.
    const interrupted = known?.state === 'started';
    const job = runJob(device, offer, interrupted)
      .catch((error) => log.error({ err: error, jobId: offer.jobId }, 'job failed unexpectedly'))
      .finally(() => jobs.delete(job));
    jobs.add(job);
  }

  async function runJob(device: Device, offer: fleet.JobOffer, interrupted: boolean): Promise<void> {
    running.add(offer.jobId);
    device.busy += 1;
    try {
      const result = await inSpan(
        'device-agent.send',
        {
          kind: SpanKind.CONSUMER,
          parent: contextFromHeaders({ traceparent: offer.traceparent }),
          attributes: {
            'wagate.job_id': offer.jobId,
            'wagate.device_id': offer.deviceId,
            'wagate.message_id': offer.message?.messageId ?? '',
            'wagate.driver': device.driver.info.driver,
          },
        },
        async (span) => {
          let outcome = interrupted ? await outcomeOfInterruptedSend(device.driver, offer) : undefined;
          if (interrupted) {
            span.setAttribute(
              'wagate.interrupted_send',
              outcome === undefined ? 'not-sent' : outcome.sent ? 'sent' : 'unknown',
            );
            log.warn(
              { jobId: offer.jobId, outcome },
              'job started before a restart: answered from the phone',
            );
          }
          if (!outcome) {
            // On disk before the phone is touched: after a crash the agent knows it may have sent.
            journal.started({
              jobId: offer.jobId,
              messageId: offer.message?.messageId ?? '',
              deviceKey: device.driver.info.deviceKey,
              atMs: Date.now(),
            });
            outcome = await attemptSend(device.driver, offer, (error) => span.recordException(error));
          }
          if (!outcome.sent) {
            span.setAttribute('wagate.error_code', outcome.errorCode);
            log.info(
              { jobId: offer.jobId, errorCode: outcome.errorCode, reason: outcome.reason },
              'not sent',
            );
          }
          return toJobResult(offer, outcome, currentTraceparent());
        },
      );
      journal.finished(result);
      if (result.sent) {
        sendTraces.set(result.messageId, result.traceparent);
        // One line per message the phone sent: what shows a message never went out twice.
        log.info({ jobId: offer.jobId, messageId: result.messageId }, 'sent');
      }
      outbox.push(resultItem(result));
    } finally {
      running.delete(offer.jobId);
      device.busy -= 1;
      grantCredit(device);
    }
  }

  /** One `Connect` stream to fleet replica `replica`, from hello to its end. Never throws; says whether it got welcomed. */
  async function runStream(replica: number): Promise<{ welcomed: boolean; error?: unknown }> {
    const current: Stream = { welcomed: false, closed: false };
    stream = current;
    const hello: fleet.AgentMessage = {
      kind: {
        $case: 'hello',
        value: {
          agentId: options.agentId,
          credential: credential ?? '',
          enrolmentToken: credential ? '' : options.enrolmentToken,
          devices: devices.map((device) => ({ ...device.driver.info })),
        },
      },
    };
    try {
      const responses = clients[replica]!.connect(outbox.stream(current, hello), { signal: stopper.signal });
      for await (const message of responses) {
        const kind = message.kind;
        if (kind?.$case === 'welcome') onWelcome(current, kind.value, fleetAddresses[replica]!);
        else if (kind?.$case === 'offer') onOffer(kind.value);
        else if (kind?.$case === 'ack') outbox.acknowledge(current, kind.value.reportSeq);
        else if (kind?.$case === 'vmCommand') vmCommands.receive(kind.value);
      }
      return { welcomed: current.welcomed };
    } catch (error) {
      return { welcomed: current.welcomed, error };
    } finally {
      current.closed = true;
      clearInterval(current.heartbeat);
      if (stream === current) stream = undefined;
      outbox.requeueUnacked(current);
      outbox.dropStreamItems();
      outbox.notify();
    }
  }

  // Several fleet replicas: a stream that fails or ends moves the agent on to the next address
  // (the replica may be gone; its devices' unfinished offers are offered again by whichever
  // replica the agent reaches). Within a round of the list each attempt waits the shortest
  // backoff; every round that ends without a welcome doubles it.
  const loop = (async () => {
    let failures = 0;
    let replica = 0;
    while (!stopper.signal.aborted) {
      const fleetAddress = fleetAddresses[replica]!;
      const { welcomed, error } = await runStream(replica);
      if (stopper.signal.aborted) break;
      if (error instanceof ClientError && error.code === Status.UNAUTHENTICATED) {
        log.error(
          { reason: error.details, with: credential ? 'credential' : 'enrolment token', fleetAddress },
          'the fleet refused this agent',
        );
        // A refused credential is forgotten: the next attempt tries the enrolment token.
        credential = undefined;
      } else if (error) log.warn({ err: error, welcomed, fleetAddress }, 'stream to the fleet failed');
      else log.warn({ welcomed, fleetAddress }, 'the fleet ended the stream');
      // A stream that got as far as a welcome was healthy: start the backoff over.
      failures = welcomed ? 0 : failures + 1;
      replica = (replica + 1) % fleetAddresses.length;
      await sleep(backoffDelay(Math.floor(failures / fleetAddresses.length), reconnect), stopper.signal);
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    connected: isUp,
    stop() {
      stopped ??= (async () => {
        stopper.abort();
        if (stream) stream.closed = true;
        outbox.notify();
        await loop;
        await Promise.allSettled(jobs);
        await vmCommands.idle();
        if (outbox.length > 0)
          log.warn({ pending: outbox.length }, 'stopped with messages the fleet has not received');
      })();
      return stopped;
    },
  };
}
