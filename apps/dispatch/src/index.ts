export { type DispatchService, startDispatch } from './dispatch-service.js';
export { generateWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from './webhooks/signature.js';
export { currentWebhookSecret, rotateWebhookSecret } from './webhooks/webhook-secrets.js';
