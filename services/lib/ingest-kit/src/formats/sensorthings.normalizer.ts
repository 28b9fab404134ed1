import {
  GAUGE_MEASUREMENT,
  GaugeStation,
  SensorThingsObservation,
  WATER_VOCABULARY,
  validator,
  dateTimeIssue,
  type GaugeKind,
  type GeoPoint,
  type Measurement,
  type NormalizedEvent,
  type Severity,
} from '@liandong/contracts';
import { compact } from '../domain/compact.ts';
import { toWgs84 } from '../domain/coordinates.ts';
import { eventIdFor } from '../domain/event-id.ts';
import { rejected, type NormalizeContext, type RecordIssue, type RecordOutcome } from '../domain/outcome.ts';
import { extensionStatus } from '../domain/drill-status.ts';
import { futureSkewIssue, toUtc } from '../domain/time.ts';

/**
 * Severity of a reading by its station's thresholds, highest first; the first one reached
 * decides, below all of them it is Minor:
 *
 * | kind | threshold reached | severity |
 * |---|---|---|
 * | river_level | guaranteed (保证水位) | Extreme |
 * | | warning (警戒水位) | Severe |
 * | rainfall (1 h), waterlogging_depth | red | Extreme |
 * | | orange | Severe |
 * | | yellow | Moderate |
 * | | blue, or none | Minor |
 * | water_quality | alarm | Severe |
 *
 * A threshold the station does not define is skipped.
 */
export const GAUGE_SEVERITY_TABLE: Record<GaugeKind, readonly (readonly [threshold: string, Severity])[]> = {
  river_level: [
    ['guaranteed', 'Extreme'],
    ['warning', 'Severe'],
  ],
  rainfall: [
    ['red', 'Extreme'],
    ['orange', 'Severe'],
    ['yellow', 'Moderate'],
    ['blue', 'Minor'],
  ],
  waterlogging_depth: [
    ['red', 'Extreme'],
    ['orange', 'Severe'],
    ['yellow', 'Moderate'],
    ['blue', 'Minor'],
  ],
  water_quality: [['alarm', 'Severe']],
};

/** The highest threshold the value reaches and its severity; Minor with none below them all. */
export function gaugeSeverity(
  kind: GaugeKind,
  value: number,
  thresholds: Readonly<Record<string, number>>,
): { severity: Severity; reached?: string } {
  for (const [name, severity] of GAUGE_SEVERITY_TABLE[kind]) {
    const level = thresholds[name];
    if (level !== undefined && value >= level) return { severity, reached: name };
  }
  return { severity: 'Minor' };
}

/** Length units a Datastream may report in, in metres. */
const METRES_PER: Readonly<Record<string, number>> = { m: 1, cm: 0.01, mm: 0.001 };

/** The factor from a station's Datastream unit to its measurement's unit; undefined when there is none. */
function unitFactor(from: string, to: string): number | undefined {
  if (from === to) return 1;
  const a = METRES_PER[from];
  const b = METRES_PER[to];
  return a !== undefined && b !== undefined ? a / b : undefined;
}

export interface SensorThingsOptions {
  /** The gauge registry: which Datastream feeds which station. */
  stations: readonly GaugeStation[];
  /**
   * The Datastream a connector queried (`…/Datastreams(<id>)/Observations`), for Observations
   * that name none themselves.
   */
  datastreamId?: string | number;
}

export interface SensorThingsNormalizer {
  /** For IngestDefinition.json.normalize: one Observation. */
  normalize(this: void, value: unknown, index: number, context: NormalizeContext): RecordOutcome;
  /** For IngestDefinition.json.unwrap: an array, a `{ "value": [...] }` collection, or one Observation. */
  unwrap(this: void, body: unknown): unknown[] | undefined;
}

interface Gauge {
  station: GaugeStation;
  location: GeoPoint;
  crs: NonNullable<GaugeStation['position']['crs']>;
  factor: number;
}

const checkStation = validator(GaugeStation);
const checkObservation = validator(SensorThingsObservation);
const NAVIGATION = /Datastreams\((?:'((?:[^']|'')*)'|([^)'"]+))\)/;

/** A collection page (`value` and maybe `@iot.nextLink`), an array, or one Observation. */
export function unwrapObservations(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body as unknown[];
  const page = typeof body === 'object' && body !== null ? (body as { value?: unknown }).value : undefined;
  return Array.isArray(page) ? (page as unknown[]) : undefined;
}

function datastreamOf(
  observation: SensorThingsObservation,
  fallback: string | undefined,
): { id: string; pointer: string } | undefined {
  const nested = observation.Datastream?.['@iot.id'];
  if (nested !== undefined) return { id: String(nested), pointer: '/Datastream/@iot.id' };
  const link = observation['Datastream@iot.navigationLink'];
  const match = link === undefined ? null : NAVIGATION.exec(link);
  if (match) {
    const id = match[1] !== undefined ? match[1].replaceAll("''", "'") : (match[2] ?? '').trim();
    return { id, pointer: '/Datastream@iot.navigationLink' };
  }
  return fallback === undefined ? undefined : { id: fallback, pointer: '' };
}

/**
 * The end of an interval ("start/end"), or the instant, in UTC; or why the value is neither
 * (naming the part at fault).
 */
function phenomenonEnd(value: string): { utc: string } | { problem: string } {
  const parts = value.split('/');
  if (parts.length > 2) {
    return { problem: `${JSON.stringify(value)} is neither an instant nor a "start/end" interval` };
  }
  for (const [i, part] of parts.entries()) {
    if (toUtc(part) !== undefined) continue;
    const which =
      parts.length === 1 ? '' : i === 0 ? 'the start of the interval, ' : 'the end of the interval, ';
    return { problem: `${which}${dateTimeIssue(part)}` };
  }
  return { utc: toUtc(parts[parts.length - 1]) as string };
}

/** The result time (an instant, or null) in UTC, or why it is not one. */
function resultTimeOf(value: string | null | undefined): { utc?: string; problem?: string } {
  if (value === null || value === undefined) return {};
  const utc = toUtc(value);
  return utc === undefined ? { problem: dateTimeIssue(value) } : { utc };
}

/** Checks the registry once: every station valid, its unit convertible, its position usable. */
function buildGauges(stations: readonly GaugeStation[]): Map<string, Gauge> {
  const gauges = new Map<string, Gauge>();
  for (const [i, station] of stations.entries()) {
    const where = `gauge registry, station ${i} (${(station as Partial<GaugeStation>).stationId ?? '?'})`;
    const issues = checkStation.issues(station);
    if (issues.length > 0) {
      throw new Error(`${where}: ${issues.map((x) => `${x.pointer} ${x.message}`).join('; ')}`);
    }
    const id = String(station.datastreamId);
    if (gauges.has(id)) throw new Error(`${where}: Datastream ${id} feeds two stations`);
    const measurement = GAUGE_MEASUREMENT[station.kind];
    const factor = unitFactor(station.unit, measurement.unit);
    if (factor === undefined) {
      throw new Error(
        `${where}: results in "${station.unit}" cannot be read as ${measurement.name} in "${measurement.unit}"`,
      );
    }
    const crs = station.position.crs ?? 'WGS84';
    const converted = toWgs84(station.position.lon, station.position.lat, crs, '/position');
    if (!converted.ok) throw new Error(`${where}: ${converted.issue.pointer} ${converted.issue.message}`);
    gauges.set(id, { station, location: converted.point, crs, factor });
  }
  return gauges;
}

/**
 * OGC SensorThings API 1.1 Observations → water observation events through the gauge registry.
 * The Datastream comes from the Observation (nested `Datastream/@iot.id`, or a navigation link
 * `…/Datastreams(<id>)`), else from the connector's `datastreamId`. The registry is checked
 * here, once; station positions without a CRS are WGS-84.
 */
export function createSensorThingsNormalizer(options: SensorThingsOptions): SensorThingsNormalizer {
  const gauges = buildGauges(options.stations);
  const fallback = options.datastreamId === undefined ? undefined : String(options.datastreamId);

  function normalize(value: unknown, index: number, context: NormalizeContext): RecordOutcome {
    if (context.department !== 'water') {
      throw new Error(`the SensorThings normalizer serves water, not ${context.department}`);
    }
    const raw = JSON.stringify(value) ?? '';
    if (!checkObservation.check(value)) {
      const issues = checkObservation
        .issues(value)
        .map((i) => ({ pointer: i.pointer, code: 'invalid_field', message: i.message }));
      return rejected(index, raw, issues);
    }
    const observation = value;
    const observationId = String(observation['@iot.id']);
    const datastream = datastreamOf(observation, context.datastreamId ?? fallback);
    if (!datastream) {
      return rejected(index, raw, [
        {
          pointer: '/Datastream',
          code: 'unknown_datastream',
          message:
            'the Observation names no Datastream (no Datastream/@iot.id, no …/Datastreams(<id>) link) and this feed has no default Datastream: expand the Datastream ($expand=Datastream($select=id)), query Datastreams(<id>)/Observations, or push with the header X-Datastream-Id: <id>',
        },
      ]);
    }
    const sourceId = `${datastream.id}:${observationId}`;
    const gauge = gauges.get(datastream.id);
    if (!gauge) {
      return rejected(
        index,
        raw,
        [
          {
            pointer: datastream.pointer,
            code: 'unknown_datastream',
            message: `Datastream ${datastream.id}${datastream.pointer === '' ? " (this feed's default)" : ''} is not in the gauge registry: register its station or check the id`,
          },
        ],
        sourceId,
      );
    }
    const issues: RecordIssue[] = [];
    const phenomenon = phenomenonEnd(observation.phenomenonTime);
    const occurredAt = 'utc' in phenomenon ? phenomenon.utc : undefined;
    if ('problem' in phenomenon) {
      issues.push({ pointer: '/phenomenonTime', code: 'invalid_time', message: phenomenon.problem });
    }
    const resultTime = resultTimeOf(observation.resultTime);
    if (resultTime.problem) {
      issues.push({ pointer: '/resultTime', code: 'invalid_time', message: resultTime.problem });
    }
    const skew = futureSkewIssue(occurredAt, context.receivedAt, '/phenomenonTime');
    if (skew) issues.push(skew);
    const result = observation.result;
    if (typeof result !== 'number' || !Number.isFinite(result)) {
      issues.push({
        pointer: '/result',
        code: 'invalid_field',
        message: `a gauge reading must be a number; got ${JSON.stringify(result) ?? 'nothing'}`,
      });
    }
    const parameters = observation.parameters;
    const drill = extensionStatus(parameters?.['status'], '/parameters/status');
    if (drill.issue) issues.push(drill.issue);
    if (sourceId.length > 512) {
      issues.push({
        pointer: '/@iot.id',
        code: 'invalid_field',
        message: 'the ids are longer than 512 characters',
      });
    }
    if (issues.length > 0 || occurredAt === undefined || typeof result !== 'number') {
      return rejected(index, raw, issues, sourceId);
    }

    const { station } = gauge;
    const entry = WATER_VOCABULARY[station.kind];
    const reading = Math.round(result * gauge.factor * 1e6) / 1e6;
    const { severity, reached } = gaugeSeverity(station.kind, reading, station.thresholds);
    const measurement: Measurement = {
      ...GAUGE_MEASUREMENT[station.kind],
      value: reading,
      ...(Object.keys(station.thresholds).length > 0 ? { thresholds: { ...station.thresholds } } : {}),
    };
    const event: NormalizedEvent = {
      id: eventIdFor('water', sourceId),
      department: 'water',
      source: { system: context.sourceSystem, format: 'sensorthings-1.1', id: sourceId, crs: gauge.crs },
      kind: 'observation',
      category: entry.category,
      type: `water.${station.kind}`,
      severity,
      status: drill.status ?? 'Actual',
      msgType: 'Alert',
      references: [],
      occurredAt,
      receivedAt: context.receivedAt.toISOString(),
      location: gauge.location,
      ...compact({ address: station.address, adminCode: station.adminCode }),
      place: { id: station.stationId, name: station.name.zh, kind: 'station' },
      title: {
        zh: `${station.name.zh}${entry.name.zh}`,
        en: `${station.name.en} ${entry.name.en.toLowerCase()}`,
      },
      texts: [],
      measurements: [measurement],
      attributes: {
        stationId: station.stationId,
        datastreamId: datastream.id,
        observationId,
        ...compact({
          river: station.river,
          resultTime: resultTime.utc,
          thresholdReached: reached,
        }),
      },
      geocodes: [],
      raw: { contentType: 'application/json', body: raw },
    };
    return { ok: true, index, event, raw };
  }

  return { normalize, unwrap: unwrapObservations };
}
