import type { DepartmentCode } from '../departments.ts';
import type { VocabularyEntry } from './common.ts';
import { HEALTH_VOCABULARY } from './health.ts';
import { MARKET_VOCABULARY } from './market.ts';
import { POLICE_VOCABULARY } from './police.ts';
import { TRAFFIC_VOCABULARY } from './traffic.ts';
import { URBAN_VOCABULARY } from './urban.ts';
import { WATER_VOCABULARY } from './water.ts';

/** Every department's vocabulary; an event's `type` is `<department>.<key>` of its department's. */
export const VOCABULARIES: Record<DepartmentCode, Readonly<Record<string, VocabularyEntry>>> = {
  police: POLICE_VOCABULARY,
  urban: URBAN_VOCABULARY,
  market: MARKET_VOCABULARY,
  health: HEALTH_VOCABULARY,
  water: WATER_VOCABULARY,
  traffic: TRAFFIC_VOCABULARY,
};

/** All event types, `<department>.<key>`, plus the CAP alert types `<department>.cap_alert`. */
export function eventTypeOf(department: DepartmentCode, key: string): string {
  return `${department}.${key}`;
}

export function isKnownEventType(type: string): boolean {
  const [department, key] = type.split('.');
  if (!department || !key) return false;
  const vocabulary = VOCABULARIES[department as DepartmentCode] as
    Record<string, VocabularyEntry> | undefined;
  return vocabulary !== undefined && (key in vocabulary || key === 'cap_alert');
}
