/** Query-string helpers shared by the list routes. */
import { Type } from '@sinclair/typebox';
import { AppError } from '@liandong/errors';

export const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'page size' });
export const Cursor = Type.String({
  minLength: 1,
  maxLength: 500,
  description: 'nextCursor of the previous page',
});
export const Since = Type.String({ format: 'date-time', description: 'RFC 3339, inclusive' });
export const Until = Type.String({ format: 'date-time', description: 'RFC 3339, exclusive' });
export const CsvList = (description: string) => Type.String({ minLength: 1, maxLength: 500, description });

export function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

/** Each value of a comma-separated parameter must be one of `allowed`. */
export function listOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T[] | undefined {
  const items = list(value);
  const bad = items?.filter((v) => !(allowed as readonly string[]).includes(v)) ?? [];
  if (bad.length)
    throw new AppError(
      'validation_failed',
      `${name}: unknown value ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
      {
        errors: [
          { pointer: `/${name}`, code: 'invalid_field', message: `each one of ${allowed.join(', ')}` },
        ],
      },
    );
  return items as T[] | undefined;
}

export function date(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}
