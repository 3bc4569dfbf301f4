import type { Kysely } from 'kysely';
import type { ConnectedDevice } from './agents/device-sessions.js';
import type { FleetTables } from './db/tables.js';

/**
 * How fast one WhatsApp number (one device) may send. Numbers that write to many strangers
 * quickly get banned, so excess waits in the queue instead of being refused (see
 * docs/pacing.md for the defaults and why).
 */
export interface PacingOptions {
  /** Least time from one offer to a device to the next one, when the next is to a new contact. */
  newContactGapMs: number;
  /** The same before a message to a contact the number has already written to. */
  knownContactGapMs: number;
  /** New contacts a number may start per UTC day, once warmed up. */
  dailyNewContacts: number;
  /**
   * New contacts per UTC day during warm-up: entry d is the allowance on the number's day
   * d + 1 (day 1 is the day fleet first saw it). Past the table, `dailyNewContacts` applies;
   * an entry above it is capped by it.
   */
  warmup: readonly number[];
  /** Injectable for tests: the scheduler's notion of now, in ms since the epoch. */
  now: () => number;
}

/** Day 1: 20 new contacts, doubling each day until the daily cap. */
export const WARMUP_NEW_CONTACTS_PER_DAY: readonly number[] = [20, 40, 80, 160];

export const DEFAULT_PACING: PacingOptions = {
  newContactGapMs: 5_000,
  knownContactGapMs: 2_000,
  dailyNewContacts: 250,
  warmup: WARMUP_NEW_CONTACTS_PER_DAY,
  now: Date.now,
};

export const DAY_MS = 86_400_000;

/** A number's pace as this process tracks it while it holds the device's stream. */
interface DevicePace {
  /** When the last job was offered to it on this session (or the session began). */
  lastOfferAtMs: number;
  /** UTC day number (days since the epoch) the counter below belongs to. */
  day: number;
  newContacts: number;
  firstSeenDay: number;
}

export type ContactKind = 'new' | 'known';

/**
 * Per-device pacing. The gap is kept in memory per device session: a device is held by one
 * agent stream, which ends on exactly one fleet process, and only that process offers it jobs.
 * A new session starts as if a job had just been offered, so a reconnect (to this replica or
 * another) never shortens a gap. New contacts per day and the first-seen day live in
 * `device_pacing`, written by the statement that offers the job (offer-jobs.ts).
 */
export class DevicePacer {
  readonly #options: PacingOptions;
  readonly #paces = new WeakMap<ConnectedDevice, DevicePace>();

  constructor(options: Partial<PacingOptions> = {}) {
    this.#options = { ...DEFAULT_PACING, ...options };
  }

  now(): number {
    return this.#options.now();
  }

  /** Reads (or starts) the persisted state of devices this process has not paced yet. */
  async load(db: Kysely<FleetTables>, devices: ConnectedDevice[]): Promise<void> {
    const missing = devices.filter((device) => !this.#paces.has(device));
    if (missing.length === 0) return;
    const now = this.now();
    const today = utcDay(now);
    const ids = missing.map((device) => device.deviceId);
    await db
      .insertInto('device_pacing')
      .values(ids.map((id) => ({ device_id: id, first_seen_day: today, day: today, new_contacts: 0 })))
      .onConflict((conflict) => conflict.column('device_id').doNothing())
      .execute();
    const rows = await db.selectFrom('device_pacing').selectAll().where('device_id', 'in', ids).execute();
    const byId = new Map(rows.map((row) => [row.device_id, row]));
    for (const device of missing) {
      const row = byId.get(device.deviceId);
      this.#paces.set(device, {
        lastOfferAtMs: now,
        day: row?.day ?? today,
        newContacts: row?.new_contacts ?? 0,
        firstSeenDay: row?.first_seen_day ?? today,
      });
    }
  }

  /** Whether a job to a contact of this kind may be offered to the device now. */
  allows(device: ConnectedDevice, kind: ContactKind, now = this.now()): boolean {
    return this.freeAt(device, kind) <= now;
  }

  /** When the device may next take a job of this kind (in the past when it may now). */
  freeAt(device: ConnectedDevice, kind: ContactKind): number {
    const pace = this.#paces.get(device);
    if (!pace) return Number.POSITIVE_INFINITY;
    const gap = kind === 'new' ? this.#options.newContactGapMs : this.#options.knownContactGapMs;
    const afterGap = pace.lastOfferAtMs + gap;
    if (kind === 'known') return afterGap;
    const today = utcDay(Math.max(afterGap, this.now()));
    const used = pace.day === today ? pace.newContacts : 0;
    if (used < this.allowance(pace.firstSeenDay, today)) return afterGap;
    // Today's new contacts are used up: the next UTC day brings a new allowance.
    return (today + 1) * DAY_MS;
  }

  /**
   * Why the device may not take a job of this kind before `freeAt`: its gap after the last
   * offer, or today's new contacts used up (the warm-up's allowance while the number is young).
   */
  limitOf(device: ConnectedDevice, kind: ContactKind): { freeAtMs: number; reason: string; rule: string } {
    const freeAtMs = this.freeAt(device, kind);
    const pace = this.#paces.get(device);
    if (!pace)
      return { freeAtMs, rule: 'pacing', reason: 'the number has not been paced on this fleet process yet' };
    const gap = kind === 'new' ? this.#options.newContactGapMs : this.#options.knownContactGapMs;
    if (freeAtMs <= pace.lastOfferAtMs + gap) {
      return {
        freeAtMs,
        rule: 'pacing',
        reason: `the number waits ${gap / 1000} s between messages to ${kind === 'new' ? 'new' : 'known'} contacts`,
      };
    }
    const today = utcDay(this.now());
    const allowance = this.allowance(pace.firstSeenDay, today);
    const warmingUp = allowance < this.#options.dailyNewContacts;
    return {
      freeAtMs,
      rule: warmingUp ? 'warm-up' : 'new-contact-cap',
      reason: warmingUp
        ? `the number is on day ${today - pace.firstSeenDay + 1} of its warm-up: today's allowance of new contacts (${allowance}, UTC day) is used up`
        : `the number's allowance of new contacts for today (${allowance}, UTC day) is used up`,
    };
  }

  /** Records an offer in memory (offer-jobs.ts persists new contacts with the offer). */
  record(device: ConnectedDevice, kind: ContactKind, now = this.now()): void {
    const pace = this.#paces.get(device);
    if (!pace) return;
    pace.lastOfferAtMs = now;
    if (kind === 'new') {
      const today = utcDay(now);
      if (pace.day !== today) {
        pace.day = today;
        pace.newContacts = 0;
      }
      pace.newContacts++;
    }
  }

  /** Gives back a new contact the database refused to record (the job was taken meanwhile). */
  forget(device: ConnectedDevice, kind: ContactKind): void {
    const pace = this.#paces.get(device);
    if (pace && kind === 'new' && pace.newContacts > 0) pace.newContacts--;
  }

  allowance(firstSeenDay: number, day: number): number {
    const age = day - firstSeenDay;
    const warm = age >= 0 && age < this.#options.warmup.length ? this.#options.warmup[age]! : Infinity;
    return Math.min(warm, this.#options.dailyNewContacts);
  }
}

export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
