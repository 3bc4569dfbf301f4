import type { UiDump, UiNode } from './ui-dump.js';
import { descendants } from './ui-dump.js';

/** The ticks WhatsApp draws under an outgoing message, in the order a message earns them. */
export type TickStatus = 'PENDING' | 'SENT' | 'DELIVERED' | 'READ';

export const tickOrder: readonly TickStatus[] = ['PENDING', 'SENT', 'DELIVERED', 'READ'];

/**
 * The content description of the tick icon, in the phone's language (lower case): one clock
 * (pending), one grey tick (sent), two grey ticks (delivered), two blue ticks (read).
 */
export const defaultTickLabels: Readonly<Record<string, TickStatus>> = {
  pending: 'PENDING',
  sent: 'SENT',
  delivered: 'DELIVERED',
  read: 'READ',
  'в ожидании': 'PENDING',
  ожидает: 'PENDING',
  отправлено: 'SENT',
  доставлено: 'DELIVERED',
  прочитано: 'READ',
};

export interface OutgoingMessage {
  /** The bubble's text, as the screen shows it (empty for a photo without caption). */
  text: string;
  status: TickStatus;
}

/**
 * The newest outgoing message on a chat screen and its ticks. Only outgoing messages carry a
 * status icon; the newest is the lowest on screen, because a chat is anchored at its bottom.
 */
export function lastOutgoingMessage(
  dump: UiDump,
  whatsappPackage: string,
  labels: Readonly<Record<string, TickStatus>> = defaultTickLabels,
): OutgoingMessage | undefined {
  const statusId = `${whatsappPackage}:id/status`;
  let newest: { node: UiNode; status: TickStatus } | undefined;
  for (const node of dump) {
    if (node.resourceId !== statusId) continue;
    const status = labels[node.contentDesc.trim().toLowerCase()];
    if (status === undefined) continue;
    if (!newest || node.bounds.bottom >= newest.node.bounds.bottom) newest = { node, status };
  }
  if (!newest) return undefined;
  return { text: bubbleText(newest.node, `${whatsappPackage}:id/message_text`), status: newest.status };
}

/**
 * The text of the bubble a status icon belongs to: the closest ancestor holding a message
 * text, as long as that ancestor is still one message (holds no other status icon).
 */
function bubbleText(status: UiNode, textId: string): string {
  for (let row = status.parent; row; row = row.parent) {
    const inside = [...descendants(row)];
    if (inside.some((node) => node !== status && node.resourceId === status.resourceId)) return '';
    const text = inside.find((node) => node.resourceId === textId);
    if (text) return text.text;
  }
  return '';
}

/** Whether `status` is at least as far along as `than`. */
export function reached(status: TickStatus, than: TickStatus): boolean {
  return tickOrder.indexOf(status) >= tickOrder.indexOf(than);
}
