import { fleet } from '@wagate/contracts';
import type { Screen } from './screens.js';

const { WhatsAppState } = fleet;

/**
 * What a screen tells about WhatsApp's account on this phone, or undefined when it tells
 * nothing (another app is in front). Any working WhatsApp screen means logged in.
 */
export function whatsappStateOf(screen: Screen): fleet.WhatsAppState | undefined {
  switch (screen.kind) {
    case 'logged-out':
      return WhatsAppState.WHATS_APP_STATE_LOGGED_OUT;
    case 'banned':
      return WhatsAppState.WHATS_APP_STATE_BANNED;
    case 'update-required':
      return WhatsAppState.WHATS_APP_STATE_UPDATE_REQUIRED;
    case 'elsewhere':
      return undefined;
    default:
      return WhatsAppState.WHATS_APP_STATE_LOGGED_IN;
  }
}
