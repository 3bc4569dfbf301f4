/**
 * The largest gRPC message a wagate server or client takes. grpc-js refuses anything over 4 MiB
 * by default (RESOURCE_EXHAUSTED), but the api takes request bodies up to 5 MiB — 1 000 texts of
 * 4 096 characters — and hands a batch to dispatch in one call, so a legal request would fail
 * whole. 32 MiB leaves room for the largest batch with every field, and for list answers.
 */
export const MAX_RPC_MESSAGE_BYTES = 32 * 1024 * 1024;
