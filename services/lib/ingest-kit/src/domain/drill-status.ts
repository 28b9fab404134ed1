import { EVENT_STATUSES, type EventStatus } from '@liandong/contracts';
import type { RecordIssue } from './outcome.ts';

/**
 * Formats with no status of their own (Open311, SensorThings) carry drills in an extension:
 * Open311 `liandong_status`, a SensorThings Observation's `parameters.status`. Absent means
 * Actual; anything but Actual, Exercise or Test is refused, so a typo never turns a drill real.
 */
export function extensionStatus(
  value: unknown,
  pointer: string,
): { status: EventStatus; issue?: undefined } | { status?: undefined; issue: RecordIssue } {
  if (value === undefined || value === null) return { status: 'Actual' };
  if (typeof value === 'string' && (EVENT_STATUSES as readonly string[]).includes(value)) {
    return { status: value as EventStatus };
  }
  return {
    issue: {
      pointer,
      code: 'invalid_field',
      message: `must be one of ${EVENT_STATUSES.join(', ')} (Exercise marks a drill); got ${JSON.stringify(value)}`,
    },
  };
}
