import { INGEST_MEDIA_TYPES } from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import { parseTree, type ParseError } from 'jsonc-parser';

export type IngestMediaType = (typeof INGEST_MEDIA_TYPES)[number];

/** Reads the Content-Type of a push; refuses anything but the four media types in UTF-8. */
export function parseMediaType(header: string | undefined): IngestMediaType {
  if (!header) {
    throw new AppError(
      'unsupported_media_type',
      `no Content-Type: send one of ${INGEST_MEDIA_TYPES.join(', ')}`,
    );
  }
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (!(INGEST_MEDIA_TYPES as readonly string[]).includes(type)) {
    throw new AppError(
      'unsupported_media_type',
      `Content-Type "${type}" is not accepted: send one of ${INGEST_MEDIA_TYPES.join(', ')}`,
    );
  }
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError(
      'unsupported_media_type',
      `charset "${charset}" is not accepted: encode the body in UTF-8`,
    );
  }
  return type as IngestMediaType;
}

/** Line and column (1-based) of a character offset, for parse errors people can find. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < offset && i < text.length; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lastBreak = i;
    }
  }
  return { line, column: offset - lastBreak };
}

/** Parses a JSON body, with the line and column of a syntax error in the message. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw jsonSyntaxError(text, error);
  }
}

/**
 * The AppError for a JSON syntax error in `text`. `locate` turns an offset of `text` into the
 * line and column a person should look at (by default in `text` itself; a parser that rewrote
 * the body first maps back to what was sent).
 */
export function jsonSyntaxError(
  text: string,
  error: unknown,
  locate: (offset: number) => { line: number; column: number } = (offset) => lineColumn(text, offset),
): AppError {
  // V8's own position counts in the text it parsed; the line and column below say where it is.
  const message = (error instanceof Error ? error.message : String(error)).replace(
    /\s+(in JSON\s+)?at position \d+.*$/s,
    '',
  );
  // V8's message carries no position on Node 20; a tolerant parser finds the first error's offset.
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  const first = errors[0];
  const where = first ? locate(first.offset) : undefined;
  return new AppError(
    'malformed_body',
    `the body is not valid JSON${where ? ` at line ${where.line}, column ${where.column}` : ''}: ${message}`,
    { errors: [{ pointer: '', code: 'malformed_json', message }] },
  );
}
