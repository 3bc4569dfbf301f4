export { generateApiKey, hashApiKey } from './api-keys.js';
export { type BillingService, DEMO_ACCOUNT_ID, startBilling } from './billing-service.js';
