import type { dispatch } from '@wagate/contracts';
import type { AccessTable } from '@wagate/rpc';

/**
 * Who may call dispatch (docs/security.md): the api, which accepts messages and serves the
 * message, webhook and policy routes; billing, whose sweep releases reservations whose message
 * never arrived. Fleet reports outcomes on the bus, never by calling here.
 */
export const DISPATCH_ACCESS: AccessTable<typeof dispatch.DispatchServiceDefinition> = {
  accept: ['api'],
  getMessage: ['api'],
  listMessages: ['api'],
  getWebhookSettings: ['api'],
  setWebhookSettings: ['api'],
  listFailedCallbacks: ['api'],
  replayCallback: ['api'],
  getWebhookSecret: ['api'],
  rotateWebhookSecret: ['api'],
  getConversationWindowPolicy: ['api'],
  setConversationWindowPolicy: ['api'],
  listWebhookEndpoints: ['api'],
  enableWebhookEndpoint: ['api'],
  getBlocklist: ['api'],
  setBlocklist: ['api'],
  listOptOuts: ['api'],
  addOptOuts: ['api'],
  removeOptOut: ['api'],
  // A message's callbacks on its /v1 page (the console's message view).
  listMessageCallbacks: ['api'],
  // Billing's sweep: which of these long-held reservations' messages does dispatch hold?
  findMessages: ['billing'],
};
