import { describe, expect, it } from 'vitest';
import { murmur2 } from './murmur2.ts';

describe('murmur2', () => {
  it("given the Java client's own test vectors (UtilsTest.testMurmur2), then the same hashes", () => {
    const cases: [string | Uint8Array, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      [new Uint8Array([0x61, 0x62, 0x63]), 479470107],
      [new Uint8Array([]), 275646681],
    ];
    for (const [key, expected] of cases) expect(murmur2(key), String(key)).toBe(expected);
  });
});
