import { inChat } from './chat.js';
import { chatLink } from './chat-link.js';
import type { Phone } from './phone.js';
import type { ScreenReader } from './screen-reader.js';
import { lastOutgoingMessage, type OutgoingMessage, type TickStatus } from './ticks.js';

/**
 * Opens the chat with `recipient` (without text) and reads the ticks of the newest message
 * this phone sent there. Undefined when the chat did not open or shows no outgoing message.
 */
export async function readTicks(
  phone: Phone,
  reader: ScreenReader,
  recipient: string,
  settings: {
    whatsappPackage: string;
    tickLabels: Readonly<Record<string, TickStatus>>;
    chatOpenMs: number;
    onLeaveError: (error: unknown) => void;
  },
): Promise<OutgoingMessage | undefined> {
  return inChat(
    phone,
    chatLink(recipient),
    async () => {
      const { found } = await reader.waitFor(
        (screen) => (screen.kind === 'chat' ? screen.dump : undefined),
        settings.chatOpenMs,
      );
      return found && lastOutgoingMessage(found, settings.whatsappPackage, settings.tickLabels);
    },
    settings.onLeaveError,
  );
}
