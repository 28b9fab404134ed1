import { isDateTime } from '@liandong/contracts';

/** An RFC 3339 time with any offset, as a UTC ISO string; undefined when it is not one. */
export function toUtc(value: unknown): string | undefined {
  if (typeof value !== 'string' || !isDateTime(value.trim())) return undefined;
  return new Date(Date.parse(value.trim())).toISOString();
}

/** How far ahead of the receiving clock an occurrence time may lie (clock skew of sources). */
export const MAX_FUTURE_SKEW_MS = 10 * 60 * 1000;
