import { beforeEach } from 'vitest';
import { createMemoryBroker, createMemoryBus, type MemoryBroker } from '../src/index.js';
import { runBusContract } from './bus-contract.js';

// A fresh broker per test is the memory counterpart of a fresh stream; buses made within
// one test share it, like two processes sharing one JetStream stream.
let broker: MemoryBroker;
beforeEach(() => {
  broker = createMemoryBroker();
  return () => broker.close();
});

runBusContract('memory', async () => createMemoryBus({ broker }));
