export {
  DEMO_ACCOUNT_ID,
  ensureChildAccount,
  ensureKey,
  ensurePlatform,
  grantCredit,
  PLATFORM_ACCOUNT_ID,
} from './accounts/bootstrap.js';
export { type BillingService, migrateBillingSchema, startBilling } from './billing-service.js';
export { generateApiKey, hashApiKey } from './keys/api-keys.js';
export { BILLING_ACCESS } from './grpc/access.js';
export { dispatchMessageFinder } from './grpc/dispatch-client.js';
export type { FindMessages } from './reservations/sweep-unaccepted.js';
export { billingMigrations } from './db/migrations.js';
