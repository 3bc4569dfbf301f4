/** Outbound recipients are digits only; a device may report the sender of an inbound with `+` or spaces. */
export const digitsOf = (number: string): string => number.replace(/\D/g, '');
