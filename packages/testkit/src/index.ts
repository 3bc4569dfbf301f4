export {
  type DatabaseAdapter,
  type DatabaseReplicas,
  databaseAdapters,
  type FreshPostgres,
  freshPostgresUrl,
  LOCAL_POSTGRES_URL,
  postgresServerUrl,
} from '@wagate/db/testing';
export { type CallbackAnswer, type CallbackReceiver, type ReceivedCallback, startCallbackReceiver } from './callback-receiver.js';
export { isolatedBusNames, natsUrl } from './nats.js';
export { type ServiceProcess, startServiceProcess } from './service-processes.js';
export { planeEnvironmentFor, testPkiDirectory } from './test-pki.js';
export { type NatsCluster, startNatsCluster } from './nats-cluster.js';
