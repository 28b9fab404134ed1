import { FormatRegistry } from '@sinclair/typebox';

/** RFC 3339 date-time with an explicit offset (`Z`, `+08:00`, `-00:00`); fractions allowed. */
export const DATE_TIME_PATTERN =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isDateTime(value: string): boolean {
  return DATE_TIME_PATTERN.test(value) && Number.isFinite(Date.parse(value));
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
