/**
 * What a rule keeps of an event: a compact record, never the event itself (its raw payload
 * would make the state grow with every window).
 */
import { SEVERITY_RANK, type Category, type DepartmentCode, type NormalizedEvent } from '@liandong/contracts';
import { attributeNumber, type CompiledRule } from './compile.rule.ts';
import type { Episode } from './episode.model.ts';
import { boundOf, findMeasurement } from './event.filter.ts';

export interface Entry {
  readonly id: string;
  readonly t: number;
  readonly type: string;
  readonly dept: DepartmentCode;
  readonly category: Category;
  /** NaN when the event has no location. */
  readonly lon: number;
  readonly lat: number;
  readonly severity: number;
  /** Venue key (place id, else name) of events about one venue. */
  readonly venue: string | null;
  /** A name to show: station, venue or place name. */
  readonly label: string | null;
  readonly road: string | null;
  readonly river: string | null;
  /** Values of the rule's attributes, in its order. */
  readonly values: readonly number[];
  /** Bit i: the event meets evidence filter i of the rule's level conditions. */
  readonly flags: number;
  /** Bit i: the event plays role i (co-occurrence). */
  readonly roles: number;
  /** Reading and bound of the rule's measurement (threshold), NaN otherwise. */
  readonly measure: number;
  readonly bound: number;
  readonly unit: string | null;
  /** Bit 0: the event is an A (sequence), bit 1: a B. */
  readonly sides: number;
  /** Metres along and off each river of the rule (sequence downstream): [along0, off0, along1, …]. */
  rivers: number[];
  withdrawn: boolean;
  /** The Update or Cancel that withdrew this entry, if any. */
  supersededBy: string | null;
  episode: Episode | null;
}

export type SerializedEntry = Omit<Entry, 'episode' | 'lon' | 'lat' | 'measure' | 'bound'> & {
  episode: string | null;
  lon: number | null;
  lat: number | null;
  measure: number | null;
  bound: number | null;
};

function stringAttribute(event: NormalizedEvent, name: string): string | null {
  const v = event.attributes[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

export function venueKey(event: NormalizedEvent): string | null {
  const place = event.place;
  if (!place || place.kind !== 'venue') return null;
  if (place.id) return `id:${place.id}`;
  return place.name ? `name:${place.name.replace(/\s+/g, '')}` : null;
}

/** The compact record of an event for one rule. */
export function entryOf(event: NormalizedEvent, t: number, compiled: CompiledRule): Entry {
  const rule = compiled.rule;
  const coordinates = event.location?.coordinates;
  let values: number[] = EMPTY;
  if (compiled.attributes.length > 0)
    values = compiled.attributes.map((name) => attributeNumber(event, name));
  let flags = 0;
  for (let i = 0; i < compiled.evidenceFilters.length; i++) {
    if ((compiled.evidenceFilters[i] as (e: NormalizedEvent) => boolean)(event)) flags |= 1 << i;
  }
  let roles = 0;
  for (let i = 0; i < compiled.roles.length; i++) {
    if ((compiled.roles[i] as (e: NormalizedEvent) => boolean)(event)) roles |= 1 << i;
  }
  let measure = Number.NaN;
  let bound = Number.NaN;
  let unit: string | null = null;
  if (rule.family === 'threshold') {
    for (const filter of rule.match) {
      if (!filter.measurement) continue;
      const m = findMeasurement(event, filter.measurement.name);
      if (m && m.value >= boundOf(m, filter.measurement)) {
        measure = m.value;
        bound = boundOf(m, filter.measurement);
        unit = m.unit;
        break;
      }
    }
  }
  let sides = 0;
  if (compiled.first?.(event)) sides |= 1;
  if (compiled.then?.(event)) sides |= 2;
  return {
    id: event.id,
    t,
    type: event.type,
    dept: event.department,
    category: event.category,
    lon: coordinates ? coordinates[0] : Number.NaN,
    lat: coordinates ? coordinates[1] : Number.NaN,
    severity: SEVERITY_RANK[event.severity],
    venue: venueKey(event),
    label: event.place?.name ?? event.place?.id ?? null,
    road: stringAttribute(event, 'roadName'),
    river: stringAttribute(event, 'river'),
    values,
    flags,
    roles,
    measure,
    bound,
    unit,
    sides,
    rivers: EMPTY,
    withdrawn: false,
    supersededBy: null,
    episode: null,
  };
}

const EMPTY: number[] = [];

export function hasLocation(entry: Entry): boolean {
  return !Number.isNaN(entry.lon);
}

const nullIfNaN = (n: number): number | null => (Number.isNaN(n) ? null : n);
const nanIfNull = (n: number | null): number => (n === null ? Number.NaN : n);

export function serializeEntry(entry: Entry): SerializedEntry {
  return {
    ...entry,
    episode: entry.episode?.id ?? null,
    lon: nullIfNaN(entry.lon),
    lat: nullIfNaN(entry.lat),
    measure: nullIfNaN(entry.measure),
    bound: nullIfNaN(entry.bound),
  };
}

export function restoreEntry(data: SerializedEntry, episodes: ReadonlyMap<string, Episode>): Entry {
  return {
    ...data,
    supersededBy: data.supersededBy ?? null,
    episode: data.episode === null ? null : (episodes.get(data.episode) ?? null),
    lon: nanIfNull(data.lon),
    lat: nanIfNull(data.lat),
    measure: nanIfNull(data.measure),
    bound: nanIfNull(data.bound),
  };
}
