import type { Phone } from './phone.js';

/**
 * Brings WhatsApp to the front with `enter` (a chat link, a share intent), lets `work` use
 * it, and always leaves it again, whatever happened: the next job must start from a screen
 * that is no chat, or it could mistake this chat for its own.
 */
export async function inWhatsApp<T>(
  phone: Phone,
  enter: () => Promise<void>,
  work: () => Promise<T>,
  onLeaveError: (error: unknown) => void,
): Promise<T> {
  await phone.wake();
  await enter();
  try {
    return await work();
  } finally {
    // The first BACK closes the keyboard or a dialog, the second the chat. A failure here
    // must not hide the outcome of the work.
    await phone.back(2).catch(onLeaveError);
  }
}

/** `inWhatsApp`, entered through a chat link. */
export function inChat<T>(
  phone: Phone,
  url: string,
  work: () => Promise<T>,
  onLeaveError: (error: unknown) => void,
): Promise<T> {
  return inWhatsApp(phone, () => phone.openInWhatsApp(url), work, onLeaveError);
}
