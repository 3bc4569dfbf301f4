import { fleet } from '@wagate/contracts';
import { type GrpcServer, mountForAgents, ServerError, Status, startLoopbackGrpcServer } from '@wagate/rpc';

type Case = NonNullable<fleet.AgentMessage['kind']>['$case'];
type ValueOf<C extends Case> = Extract<NonNullable<fleet.AgentMessage['kind']>, { $case: C }>['value'];
type Offer = Omit<fleet.JobOffer, 'message'> & { message: Partial<fleet.JobOffer['message']> };

/** Messages for one stream's response side; `end()` makes the server finish the stream. */
class ResponseQueue {
  readonly #items: fleet.FleetMessage[] = [];
  #ended = false;
  #wake: () => void = () => {};

  push(message: fleet.FleetMessage): void {
    this.#items.push(message);
    this.#wake();
  }

  end(): void {
    this.#ended = true;
    this.#wake();
  }

  async *drain(signal: AbortSignal): AsyncGenerator<fleet.FleetMessage> {
    while (!signal.aborted) {
      const next = this.#items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
}

export interface Connection {
  readonly received: fleet.AgentMessage[];
  readonly responses: ResponseQueue;
}

/**
 * A small fleet for tests, on a real gRPC server: it welcomes every device an agent names
 * (device id `dev-<deviceKey>`), records what agents send, and lets a test offer jobs,
 * end the stream, or refuse new streams as if the fleet were down.
 */
export async function startFakeFleet(options: { acksReports?: boolean } = {}) {
  const connections: Connection[] = [];
  let refused = 0;
  let refusing = false;

  const gateway = mountForAgents(fleet.AgentGatewayServiceDefinition, {
    async *connect(requests, context) {
      if (refusing) {
        refused += 1;
        throw new ServerError(Status.UNAVAILABLE, 'the fleet is down');
      }
      const connection: Connection = { received: [], responses: new ResponseQueue() };
      connections.push(connection);
      void (async () => {
        try {
          for await (const message of requests) {
            connection.received.push(message);
            if (message.kind?.$case === 'hello') {
              const devices = message.kind.value.devices.map((device) => ({
                deviceKey: device.deviceKey,
                deviceId: `dev-${device.deviceKey}`,
              }));
              connection.responses.push({
                kind: {
                  $case: 'welcome',
                  value: { devices, credential: '', acksReports: options.acksReports },
                },
              });
            }
          }
        } catch {
          // The stream ended under us: nothing more to record.
        }
      })();
      yield* connection.responses.drain(context.signal);
    },
  });
  const grpc: GrpcServer = await startLoopbackGrpcServer('agent', [gateway], { mode: 'insecure-loopback' });

  function latest(): Connection {
    const connection = connections.at(-1);
    if (!connection) throw new Error('no agent has connected yet');
    return connection;
  }

  return {
    address: grpc.address,
    connections,
    refused: () => refused,
    /** While true, new streams fail with UNAVAILABLE. */
    refuse(value: boolean) {
      refusing = value;
    },
    /** Values of one kind of agent message, on one connection or on all of them. */
    messages<C extends Case>(kind: C, connection?: number): ValueOf<C>[] {
      const from = connection === undefined ? connections : connections.slice(connection, connection + 1);
      return from.flatMap((c) =>
        c.received.flatMap((message) =>
          message.kind?.$case === kind ? [message.kind.value as ValueOf<C>] : [],
        ),
      );
    },
    offer(offer: Offer): void {
      const message = fleet.JobOffer.fromPartial(offer);
      latest().responses.push({ kind: { $case: 'offer', value: message } });
    },
    /** A VM command on the latest stream. */
    command(command: Partial<fleet.VmCommand>): void {
      latest().responses.push({ kind: { $case: 'vmCommand', value: fleet.VmCommand.fromPartial(command) } });
    },
    /** Acks a numbered report on the latest stream: the fleet has stored it. */
    ack(reportSeq: string): void {
      latest().responses.push({ kind: { $case: 'ack', value: { reportSeq } } });
    },
    /** Every message of the latest stream as received, report numbers included. */
    received(): fleet.AgentMessage[] {
      return latest().received;
    },
    /** Finishes the latest stream from the server's side, as a fleet restart would. */
    endStream(): void {
      latest().responses.end();
    },
    close: () => grpc.shutdown(),
  };
}

export type FakeFleet = Awaited<ReturnType<typeof startFakeFleet>>;
