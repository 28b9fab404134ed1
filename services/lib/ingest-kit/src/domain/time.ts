import { isDateTime } from '@liandong/contracts';
import type { RecordIssue } from './outcome.ts';

let lastInput: string | undefined;
let lastOutput: string | undefined;

/**
 * An RFC 3339 time with any offset, as a UTC ISO string; undefined when it is not one. A record's
 * time is converted several times in a row (checked, then normalized): the last answer is kept.
 */
export function toUtc(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === lastInput) return lastOutput;
  const trimmed = value.trim();
  const output = isDateTime(trimmed) ? new Date(Date.parse(trimmed)).toISOString() : undefined;
  lastInput = value;
  lastOutput = output;
  return output;
}

/** How far ahead of the receiving clock an occurrence time may lie (clock skew of sources). */
export const MAX_FUTURE_SKEW_MS = 10 * 60 * 1000;

/** The refusal of a time (UTC ISO) that lies beyond the tolerated skew after `receivedAt`. */
export function futureSkewIssue(
  utc: string | undefined,
  receivedAt: Date,
  pointer: string,
): RecordIssue | undefined {
  if (utc === undefined || Date.parse(utc) - receivedAt.getTime() <= MAX_FUTURE_SKEW_MS) return undefined;
  return {
    pointer,
    code: 'in_future',
    message: `lies more than ${MAX_FUTURE_SKEW_MS / 60000} minutes after the time it was received (check the sender's clock and offset)`,
  };
}
