import { isUtf8 } from 'node:buffer';

/**
 * Offset of the first byte that does not begin a well-formed UTF-8 sequence (Unicode 15, table
 * 3-7: no overlong forms, no surrogates, nothing above U+10FFFF, no sequence cut short);
 * undefined when every byte is in one. Pure; one pass.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // Length of the sequence, and the range its second byte must fall in.
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0; // overlong below U+0800
      if (b === 0xed) high = 0x9f; // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90; // overlong below U+10000
      if (b === 0xf4) high = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k < length; k += 1) {
      const next = bytes[i + k];
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next === undefined || next < min || next > max) return i;
    }
    i += length;
  }
  return undefined;
}

const BOM = [0xef, 0xbb, 0xbf];

/** Whether the bytes begin with the UTF-8 byte order mark (EF BB BF). */
export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return BOM.every((b, i) => bytes[i] === b);
}

/**
 * The text of a body sent as UTF-8, or where it is not: the byte offset of the first invalid
 * sequence and the bytes from there (hex, at most four). A byte order mark at the start is
 * skipped (Windows tools write one; RFC 8259 lets a JSON reader ignore it), never kept as
 * U+FEFF. Nothing is replaced by U+FFFD: a record is taken as sent or refused.
 */
export function decodeUtf8(body: Buffer): { text: string } | { offset: number; bytes: string } {
  if (isUtf8(body)) return { text: body.toString('utf8', hasUtf8Bom(body) ? BOM.length : 0) };
  const offset = firstInvalidUtf8Offset(body) ?? 0;
  const bytes = [...body.subarray(offset, offset + 4)]
    .map((b) => b.toString(16).toUpperCase().padStart(2, '0'))
    .join(' ');
  return { offset, bytes };
}
