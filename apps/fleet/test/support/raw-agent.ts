import { fleet as contracts } from '@wagate/contracts';
import { agentPlaneClient, PLAINTEXT_LOOPBACK } from '@wagate/rpc';
import { AsyncQueue } from '../../src/agents/async-queue.js';

/** An agent speaking the protocol by hand, so it can say what a real agent never would. */
export function rawAgent(address: string, hello: contracts.AgentHello) {
  const outgoing = new AsyncQueue<contracts.AgentMessage>();
  outgoing.push({ kind: { $case: 'hello', value: hello } });
  const client = agentPlaneClient(contracts.AgentGatewayServiceDefinition, address, PLAINTEXT_LOOPBACK);
  const incoming = client.connect(outgoing)[Symbol.asyncIterator]();
  return {
    send: (message: contracts.AgentMessage) => outgoing.push(message),
    async welcome(): Promise<contracts.AgentWelcome> {
      const first = await incoming.next();
      if (first.value?.kind?.$case !== 'welcome') throw new Error('no welcome');
      return first.value.kind.value;
    },
    /** The next message from fleet after the welcome. */
    async next(): Promise<contracts.FleetMessage> {
      const next = await incoming.next();
      if (next.done) throw new Error('the stream ended');
      return next.value;
    },
    close: () => outgoing.end(),
    /** Ends the stream and waits until fleet has closed its side: by then it has handled every report. */
    async finish() {
      outgoing.end();
      for (let next = await incoming.next(); !next.done; next = await incoming.next()) {}
    },
  };
}

/** What a raw agent reports of one simulated device in its hello. */
export const simDevice = (deviceKey: string, phoneNumber: string) => ({
  deviceKey,
  phoneNumber,
  androidVersion: '14',
  whatsappVersion: '2.24',
  driver: 'sim',
});
