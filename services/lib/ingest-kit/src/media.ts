import { INGEST_MEDIA_TYPES } from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import { parseTree, type ParseError } from 'jsonc-parser';
import { decodeUtf8 } from './domain/utf8.ts';

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

/**
 * The text of a pushed body: a 400 when it is not UTF-8, naming the byte offset of the first
 * invalid sequence (a BOM at the start is skipped; see decodeUtf8).
 */
export function bodyText(body: Buffer): string {
  const decoded = decodeUtf8(body);
  if ('text' in decoded) return decoded.text;
  const message = `not valid UTF-8 at byte offset ${decoded.offset} (bytes from there: ${decoded.bytes})`;
  throw new AppError('malformed_body', `the body is ${message}: send it encoded in UTF-8`, {
    errors: [{ pointer: '', code: 'invalid_utf8', message }],
  });
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

/**
 * Deepest nesting of arrays and objects a JSON body may have. Department records nest four deep;
 * a body nested thousands deep overflowed the stack when its record was serialized (a 500).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses a JSON text that nests deeper than `maxDepth` (400 naming the line and column), before
 * anything recursive touches it. One pass over the characters; strings are skipped.
 */
export function assertJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i += 1;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth += 1;
      if (depth > maxDepth) {
        const { line, column } = lineColumn(text, i);
        throw new AppError(
          'malformed_body',
          `the JSON nests deeper than ${maxDepth} levels at line ${line}, column ${column}: flatten the record`,
          { errors: [{ pointer: '', code: 'too_deep', message: `nesting deeper than ${maxDepth} levels` }] },
        );
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth -= 1;
  }
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
