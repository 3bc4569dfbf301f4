import { ensureTestServices } from '../test-services.js';

/** vitest globalSetup: the run needs postgres (see test-services.ts). */
export default () => ensureTestServices(['postgres']);
