export { type DispatchService, migrateDispatchSchema, startDispatch } from './dispatch-service.js';
export { generateWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from './webhooks/signature.js';
export { sealWebhookSecretsAtRest, type WebhookSecrets, webhookSecrets } from './webhooks/webhook-secrets.js';
export {
  embeddedSecretKeys,
  generateSecretKeys,
  parseSecretKeys,
  readSecretKeys,
  SECRET_KEYS_VARIABLE,
  secretKeyVariables,
  type SecretKeyRing,
} from './webhooks/secret-keys.js';
// For the callback-delivery benchmark (bench/), which drives the worker on its own tables.
export { dispatchMigrations } from './db/migrations.js';
export { DISPATCH_SCHEMA, type DispatchTables } from './db/tables.js';
export { startCallbackWorker } from './webhooks/callback-worker.js';
export { queueCallbacks } from './webhooks/queue-callbacks.js';
export { statusCallbackBody } from './webhooks/status-callback.js';
// For the policy benchmark (bench/src/policy.ts), which drives the accept path on its own tables.
export { acceptMessages } from './accept.js';
export { defaultRules, type PolicySettings } from './policy/index.js';
export { type PolicyConfig, policySettings, policyVariables } from './policy/policy-config.js';
export { setBlocklist } from './blocklists/index.js';
export { addOptOuts } from './opt-outs/index.js';
export type { SenderDirectory } from './sender-directory.js';
export { DISPATCH_ACCESS } from './grpc/access.js';
