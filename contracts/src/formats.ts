import { FormatRegistry } from '@sinclair/typebox';

/** How a time is written, as a refusal of one says. */
export const DATE_TIME_EXAMPLE = '2026-06-01T10:15:00+08:00';

/**
 * Asia/Shanghai's offset from UTC, in milliseconds: China keeps +08:00 all year (no daylight
 * saving since 1991), so Beijing wall-clock time is UTC plus this.
 */
export const BEIJING_OFFSET_MS = 8 * 3600_000;

/**
 * The shape of an RFC 3339 date-time with an explicit offset (`Z`, `+08:00`, `-00:00`),
 * fractions allowed. Only the shape: `dateTimeProblem` checks that each field exists.
 */
export const DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/i;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Days of a month (1 to 12) of the Gregorian calendar; RFC 3339 appendix C for February. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why a date (its fields as written) does not exist, if it does not. */
function dateProblem(year: string, month: string, day: string): string | undefined {
  const m = Number(month);
  if (m < 1 || m > 12) return `month ${month} does not exist (01 to 12)`;
  const days = daysInMonth(Number(year), m);
  const d = Number(day);
  if (d >= 1 && d <= days) return undefined;
  return `${year}-${month}-${day} is not a day of the calendar (${MONTHS[m - 1]} ${year} has ${days} days)`;
}

/** Why a time of day (its fields as written) does not exist, if it does not. */
function timeProblem(hour: string, minute: string, second: string): string | undefined {
  if (hour === '24') return 'hour 24 does not exist (00 to 23): write 00:00 of the next day';
  if (Number(hour) > 23) return `hour ${hour} does not exist (00 to 23)`;
  if (Number(minute) > 59) return `minute ${minute} does not exist (00 to 59)`;
  // A leap second is refused: an instant in JavaScript, and so in every event Liandong writes,
  // has no 60th second (Date.parse gives NaN), and none has been inserted since 2016.
  if (second === '60') return 'second 60 (a leap second) is not taken: write 59.999 or the next second';
  if (Number(second) > 59) return `second ${second} does not exist (00 to 59)`;
  return undefined;
}

/** Why an offset (sign and fields as written) does not exist, if it does not. */
function offsetProblem(sign: string, hour: string, minute: string): string | undefined {
  if (Number(hour) <= 23 && Number(minute) <= 59) return undefined;
  return `offset ${sign}${hour}:${minute} does not exist (at most ±23:59; China writes +08:00)`;
}

/**
 * Why `value` is not an RFC 3339 date-time with an offset, for a person; undefined when it is
 * one. A field that does not exist is refused with its reason, never rolled over (JavaScript's
 * Date.parse reads 30 February as 2 March, and hour 24 as the next day).
 */
export function dateTimeProblem(value: string): string | undefined {
  const match = DATE_TIME_PATTERN.exec(value);
  if (!match) return `not an RFC 3339 date-time with an offset (e.g. ${DATE_TIME_EXAMPLE})`;
  const [year, month, day, hour, minute, second, sign, offsetHour, offsetMinute] = match.slice(1);
  return (
    dateProblem(year ?? '', month ?? '', day ?? '') ??
    timeProblem(hour ?? '', minute ?? '', second ?? '') ??
    (sign ? offsetProblem(sign, offsetHour ?? '', offsetMinute ?? '') : undefined)
  );
}

/**
 * The refusal of a value that is not a date-time, for a person: the value as sent (cut at 64
 * characters), then why. E.g. `"2026-02-30T10:00:00+08:00": 2026-02-30 is not a day of the
 * calendar (February 2026 has 28 days)`.
 */
export function dateTimeIssue(value: string): string {
  const shown = value.length > 64 ? `${JSON.stringify(value.slice(0, 64))}…` : JSON.stringify(value);
  return `${shown}: ${dateTimeProblem(value) ?? 'a date-time'}`;
}

/** An RFC 3339 date-time with an offset whose every field exists (see `dateTimeProblem`). */
export function isDateTime(value: string): boolean {
  return dateTimeProblem(value) === undefined;
}

/** Registers the string formats the contracts use with TypeBox's checker (idempotent). */
export function registerFormats(): void {
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
  if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID_PATTERN.test(v));
  if (!FormatRegistry.Has('uri')) {
    FormatRegistry.Set('uri', (v) => {
      try {
        new URL(v);
        return true;
      } catch {
        return false;
      }
    });
  }
}

registerFormats();
