import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeUtf8, firstInvalidUtf8Offset } from './utf8.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('firstInvalidUtf8Offset', () => {
  it('given each kind of ill-formed sequence after 5 good bytes, then offset 5', () => {
    for (const bad of [
      [0xff], // never in UTF-8
      [0xc0, 0xaf], // overlong "/"
      [0x80], // a lone continuation byte
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate (U+D800)
      [0xf8, 0x88, 0x80, 0x80, 0x80], // a five-byte form
      [0xe2, 0x82], // cut short ("€" without its last byte)
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe0, 0x80, 0xaf], // overlong three-byte form
    ])
      expect(firstInvalidUtf8Offset(bytes('{"a":', bad, '"}')), bad.join(' ')).toBe(5);
  });

  it('given Chinese text, emoji and the largest code point, then none', () => {
    expect(firstInvalidUtf8Offset(bytes('大沥镇广佛路 🚒 \u{10ffff}'))).toBeUndefined();
  });

  it('property: agrees with Node’s own validator, and the bytes before the offset are valid', () => {
    const anyBytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      // Mostly valid text with one byte changed: errors deep inside multi-byte sequences.
      fc
        .tuple(fc.string({ unit: 'binary', maxLength: 32 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
        .map(([text, at, byte]) => {
          const encoded = Buffer.from(text, 'utf8');
          if (encoded.length > 0) encoded[at % encoded.length] = byte;
          return new Uint8Array(encoded);
        }),
    );
    fc.assert(
      fc.property(anyBytes, (input) => {
        const offset = firstInvalidUtf8Offset(input);
        expect(offset === undefined, Buffer.from(input).toString('hex')).toBe(isUtf8(input));
        if (offset !== undefined) expect(isUtf8(input.subarray(0, offset))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('decodeUtf8', () => {
  it('given a byte order mark at the start, then the text without it', () => {
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], '{"a":"界"}'))).toEqual({ text: '{"a":"界"}' });
  });

  it('given invalid bytes, then no text but where they are and what they are, never U+FFFD', () => {
    expect(decodeUtf8(bytes('{"a":"界', [0xc0, 0xaf], '"}'))).toEqual({ offset: 9, bytes: 'C0 AF 22 7D' });
  });
});
