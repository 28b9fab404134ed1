/** GB/T 35965.1-2018 identifiers and CAP times. Pure. */
import { BEIJING_OFFSET_MS } from '@liandong/contracts';

/** The issuing unit's 14-digit code: a GB/T 2260 administrative code and the unit's own digits. */
export const ISSUER_CODE = /^\d{14}$/;

/** A CAP date-time in Beijing time: `2026-06-01T10:15:00+08:00` (no fraction, no `Z`). */
export function beijingTime(at: Date): string {
  const local = new Date(Math.floor(at.getTime() / 1000) * 1000 + BEIJING_OFFSET_MS);
  return `${local.toISOString().slice(0, 19)}+08:00`;
}

/** `yyyyMMddHHmmss` in Beijing time, the time part of an identifier. */
export function beijingStamp(at: Date): string {
  return beijingTime(at).slice(0, 19).replace(/\D/g, '');
}

/**
 * A GB/T 35965.1 identifier: the 14-digit issuer code, the sending time (Beijing,
 * yyyyMMddHHmmss) and a 3-digit sequence within that second: 31 digits.
 */
export function capIdentifier(issuerCode: string, sent: Date, sequence: number): string {
  if (!ISSUER_CODE.test(issuerCode))
    throw new Error(`the CAP issuer code must be 14 digits (GB/T 35965.1), not "${issuerCode}"`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999)
    throw new Error(`a CAP identifier's sequence is 1–999 within one second, not ${sequence}`);
  return `${issuerCode}${beijingStamp(sent)}${String(sequence).padStart(3, '0')}`;
}
