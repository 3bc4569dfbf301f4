import { ensureTestServices } from '../test-services.js';

/** vitest globalSetup: the run needs nats (see test-services.ts). */
export default () => ensureTestServices(['nats']);
