import { ensureTestServices } from '../test-services.js';

/** vitest globalSetup: the run needs postgres and nats (see test-services.ts). */
export default () => ensureTestServices(['postgres', 'nats']);
