export {
  type DatabaseAdapter,
  type DatabaseReplicas,
  databaseAdapters,
  type FreshPostgres,
  freshPostgresUrl,
  LOCAL_POSTGRES_URL,
  postgresServerUrl,
} from '@wagate/db/testing';
export {
  type CallbackAnswer,
  type CallbackReceiver,
  type ReceivedCallback,
  startCallbackReceiver,
} from './callback-receiver.js';
export { isolatedBusNames, natsUrl } from './nats.js';
export { startDeployedNatsServer, startNatsServer, type TestNatsServer } from './nats-server.js';
export { planeEnvironmentFor, testPkiDirectory } from './test-pki.js';
export { type PrometheusServer, prometheusTool, startPrometheus } from './prometheus.js';
export { browserAvailable, CHROMIUM_FLAGS, chromiumPath } from './browser.js';
export { type ServiceEntry, type ServiceProcess, serviceArguments, startServiceProcess } from './service-processes.js';
export {
  PRODUCTION_SERVICES,
  type ProductionRuntime,
  type ProductionRuntimeOptions,
  type ProductionService,
  type ProductionWiring,
  productionServiceEnv,
  READY_LINE,
  startProductionRuntime,
} from './production-runtime.js';
export { type NatsCluster, startNatsCluster } from './nats-cluster.js';
