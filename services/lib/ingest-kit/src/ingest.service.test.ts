import { describe, expect, it } from 'vitest';
import { cutToJsonBytes, sourceIdIssue } from './ingest.service.ts';

describe('cutToJsonBytes (dead letters are cut by bytes, not characters)', () => {
  it('given three-byte characters, when cut to 3,000 bytes, then the JSON string takes at most 3,000 bytes', () => {
    const cut = cutToJsonBytes('汉'.repeat(5000), 3000);
    expect(Buffer.byteLength(JSON.stringify(cut))).toBeLessThanOrEqual(3000);
    expect(cut.length).toBeGreaterThan(990);
  });

  it('given characters JSON escapes, when cut, then the escaped form is what is counted', () => {
    const cut = cutToJsonBytes('\u0000'.repeat(1000), 602);
    expect(Buffer.byteLength(JSON.stringify(cut))).toBeLessThanOrEqual(602);
    expect(cut.length).toBe(100);
  });

  it('never ends on half a surrogate pair', () => {
    const cut = cutToJsonBytes('😀'.repeat(100), 23);
    expect(cut).toBe('😀'.repeat(cut.length / 2));
  });

  it('keeps a text that fits as it is', () => {
    expect(cutToJsonBytes('short', 100)).toBe('short');
  });
});

describe('sourceIdIssue (what the ledger cannot key by)', () => {
  it('given a NUL character, then refused naming its position', () => {
    expect(sourceIdIssue('R-\u00001')?.message).toContain('position 3');
  });
  it('given unpaired surrogates, which UTF-8 would turn into one U+FFFD, then refused', () => {
    expect(sourceIdIssue('R-\ud800')?.code).toBe('invalid_source_id');
    expect(sourceIdIssue('R-\udc00x')?.code).toBe('invalid_source_id');
  });
  it('given a pair, Chinese text or a plain id, then accepted', () => {
    for (const id of ['R-😀', '南海-110-1', 'R-1']) expect(sourceIdIssue(id)).toBeUndefined();
  });
  it('given an id over 512 bytes, then refused naming the limit', () => {
    expect(sourceIdIssue('x'.repeat(513))?.message).toContain('512');
  });
});
