/** Map colours and icons: departments by colour, event types by glyph family, levels by colour and dash. */
import type { DepartmentCode, Level } from '@liandong/contracts';

export const DEPARTMENT_COLOURS: Record<DepartmentCode, string> = {
  police: '#1f4e9c',
  urban: '#2e7d32',
  market: '#7b1fa2',
  health: '#c2185b',
  water: '#00838f',
  traffic: '#8d6e00',
};

/** Warning areas: the national four colours, darkened where text sits on them; a dash per level too. */
export const LEVEL_STROKE: Record<Level, { colour: string; dash: string | undefined; weight: number }> = {
  blue: { colour: '#1565c0', dash: '2 6', weight: 2 },
  yellow: { colour: '#c9a400', dash: '8 6', weight: 3 },
  orange: { colour: '#e65100', dash: '14 4', weight: 3 },
  red: { colour: '#c62828', dash: undefined, weight: 4 },
};

export type GlyphFamily =
  'crowd' | 'water' | 'fire' | 'traffic' | 'hazmat' | 'health' | 'crime' | 'complaint' | 'infra' | 'other';

const FAMILY_PATTERNS: [GlyphFamily, RegExp][] = [
  ['hazmat', /hazard|gas_|carbon|poison|water_quality/],
  ['crowd', /crowd|petition|gathering|disturbance|mass_/],
  ['water', /water|flood|rain|river|logging/],
  ['fire', /fire|heat/],
  ['traffic', /traffic|accident|congestion|road|vehicle|visibility|obstruction/],
  ['health', /health\.|disease|syndromic|ems|casualty|food_poisoning/],
  ['crime', /fight|theft|robbery|missing|trapped/],
  ['complaint', /complaint|noise|vendor|garbage|illegal/],
  ['infra', /manhole|tree|structure|elevator|equipment|inspection|cylinder|construction/],
];

export function glyphFamily(type: string): GlyphFamily {
  for (const [family, pattern] of FAMILY_PATTERNS) if (pattern.test(type)) return family;
  return 'other';
}
