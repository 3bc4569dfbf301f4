export { START_KEYWORDS, STOP_KEYWORDS } from './keywords.js';
export { addOptOuts, applyOptOutReply, listOptOuts, optedOut, removeOptOut } from './store.js';
export type { OptOutTables } from './tables.js';
