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
export { type ServiceEntry, type ServiceProcess, serviceArguments, startServiceProcess } from './service-processes.js';
export {
  PRODUCTION_SERVICES,
  type ProductionRuntime,
  type ProductionService,
  type ProductionWiring,
  productionServiceEnv,
  READY_LINE,
  startProductionRuntime,
} from './production-runtime.js';
