import { describe, expect, it } from 'vitest';
import { cutToJsonBytes } from './ingest.service.ts';

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
