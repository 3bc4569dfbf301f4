export { getConversationWindowPolicy, setConversationWindowPolicy } from './policy.js';
export type { ConversationWindowTables } from './tables.js';
export { CONVERSATION_WINDOW_MS, openConversationWindow, outsideConversationWindow } from './window.js';
