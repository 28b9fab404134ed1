/**
 * The calendar of event times: parsing RFC 3339 times to milliseconds and reading them as
 * Asia/Shanghai wall-clock time. No clock lives here (the engine's time is its events' time).
 * Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so local wall-clock time is
 * a fixed offset of the event time.
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/**
 * Milliseconds of an RFC 3339 time; NaN when it is not one. The form every normalized event
 * carries (`toISOString`: `2026-06-01T02:15:00.000Z`) is read directly, which is several times
 * faster than Date.parse on the hot path; anything else goes to Date.parse.
 */
export function toMs(time: string): number {
  if (time.length === 24 && time.charCodeAt(23) === 90 /* Z */ && time.charCodeAt(19) === 46 /* . */) {
    const year = digit(time, 0) * 1000 + digit(time, 1) * 100 + two(time, 2);
    const ms = digit(time, 20) * 100 + two(time, 21);
    const value = Date.UTC(
      year,
      two(time, 5) - 1,
      two(time, 8),
      two(time, 11),
      two(time, 14),
      two(time, 17),
      ms,
    );
    if (!Number.isNaN(value)) return value;
  }
  return Date.parse(time);
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Hour of day (0–23) in Asia/Shanghai. */
export function localHour(ms: number): number {
  return Math.floor(((ms + SHANGHAI_OFFSET_MS) % DAY_MS) / HOUR_MS);
}

/** "6月1日 14:05" and "1 Jun 14:05": local (Asia/Shanghai) times for titles and summaries. */
export function localTimeText(ms: number): { zh: string; en: string } {
  const local = new Date(ms + SHANGHAI_OFFSET_MS);
  const month = local.getUTCMonth();
  const day = local.getUTCDate();
  const time = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  return { zh: `${month + 1}月${day}日 ${time}`, en: `${day} ${MONTHS[month] ?? ''} ${time}` };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Minutes between `from` and `to` that fall in the local hours [fromHour, toHour) of each day:
 * a market feed that is quiet at night is not silent.
 */
export function activeMinutesBetween(from: number, to: number, fromHour: number, toHour: number): number {
  if (to <= from) return 0;
  let total = 0;
  const dayStart = (ms: number) => ms - ((ms + SHANGHAI_OFFSET_MS) % DAY_MS);
  for (let day = dayStart(from); day < to; day += DAY_MS) {
    const start = Math.max(from, day + fromHour * HOUR_MS);
    const end = Math.min(to, day + toHour * HOUR_MS);
    if (end > start) total += end - start;
  }
  return total / MINUTE_MS;
}
