import { serviceVariables } from '@wagate/runtime';

/** Every variable the templates process reads, once at start (docs/configuration.md). */
export const templatesVariables = serviceVariables('templates', 50_052);
