export { blocklistsFor, getBlocklist, setBlocklist } from './store.js';
export type { BlocklistTables } from './tables.js';
export { compileBlocklist } from './matcher.js';
