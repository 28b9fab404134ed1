/** Opaque cursors for keyset paging: base64url of a small JSON tuple. Pure. */
import { AppError } from '@liandong/errors';

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (
    !Array.isArray(values) ||
    values.length !== shape.length ||
    values.some((v, i) => typeof v !== shape[i])
  )
    throw new AppError('validation_failed', 'the cursor is not one this API gave out', {
      errors: [
        {
          pointer: '/cursor',
          code: 'invalid_cursor',
          message: 'pass nextCursor from the previous page unchanged',
        },
      ],
    });
  return values as (string | number)[];
}
