/**
 * Builds normalized events as the ingest services would publish them, for tests, scenarios and
 * benchmarks. Every event it returns is valid against the `NormalizedEvent` contract.
 */
import {
  departmentEntry,
  VOCABULARIES,
  type Category,
  type DepartmentCode,
  type EventKind,
  type EventStatus,
  type FeedFormat,
  type Measurement,
  type MsgType,
  type NormalizedEvent,
  type Place,
  type Severity,
} from '@liandong/contracts';
import { v5 as uuidv5 } from 'uuid';

/** Namespace of the ids of generated events (UUID v5 of department and source id). */
export const SCENARIO_EVENT_NAMESPACE = 'c41b8a7e-2f64-5d0b-9a13-58e2f7c6d901';

export const SOURCE_SYSTEMS: Record<DepartmentCode, string> = {
  police: '110-jjxt',
  urban: '12345-open311',
  market: '12315-platform',
  health: 'nh-health-report',
  water: 'nh-water-sta',
  traffic: 'nh-traffic-tocc',
};

const DEFAULT_KIND: Record<DepartmentCode, EventKind> = {
  police: 'incident',
  urban: 'request',
  market: 'request',
  health: 'incident',
  water: 'observation',
  traffic: 'incident',
};

export interface EventSpec {
  /** `<department>.<vocabulary key>` or `<department>.cap_alert`. */
  readonly type: string;
  readonly sourceId: string;
  /** Occurrence time: ms since the epoch or RFC 3339. */
  readonly at: number | string;
  /** Seconds from occurrence to receipt (default 30). */
  readonly delaySeconds?: number;
  readonly lon?: number;
  readonly lat?: number;
  readonly severity?: Severity;
  readonly category?: Category;
  readonly status?: EventStatus;
  readonly msgType?: MsgType;
  readonly references?: readonly string[];
  /** Published as a CAP 1.2 alert of the department (kind `alert`, format cap-1.2). */
  readonly cap?: boolean;
  readonly kind?: EventKind;
  readonly format?: FeedFormat;
  readonly measurements?: readonly Measurement[];
  readonly attributes?: NormalizedEvent['attributes'];
  readonly place?: Place;
  readonly address?: string;
  readonly description?: string;
}

export function scenarioEventId(department: string, sourceId: string): string {
  return uuidv5(`${department}\u001f${sourceId}`, SCENARIO_EVENT_NAMESPACE);
}

function defaultFormat(department: DepartmentCode): FeedFormat {
  return departmentEntry(department).feeds[0] as FeedFormat;
}

function capXml(event: Omit<NormalizedEvent, 'raw'>, identifier: string, text: string): string {
  const ref = event.references.length > 0 ? `<references>${event.references.join(' ')}</references>` : '';
  const point = event.location
    ? `<circle>${event.location.coordinates[1]},${event.location.coordinates[0]} 1</circle>`
    : '';
  return (
    `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${identifier}</identifier>` +
    `<sender>${event.department}@nanhai.gov.cn</sender><sent>${event.occurredAt.replace('.000Z', '+00:00')}</sent>` +
    `<status>${event.status}</status><msgType>${event.msgType}</msgType><scope>Public</scope>${ref}` +
    `<info><language>zh-CN</language><category>Other</category><event>${text}</event><urgency>Immediate</urgency>` +
    `<severity>${event.severity}</severity><certainty>Likely</certainty><headline>${text}</headline>` +
    `<area><areaDesc>南海区</areaDesc>${point}</area></info></alert>`
  );
}

/** Degrees to 6 decimals (about 0.1 m), as positioning systems report them. */
const micro = (degrees: number) => Math.round(degrees * 1e6) / 1e6;

/** Local time as departments write it: RFC 3339 with +08:00. */
function localIso(iso: string): string {
  const local = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString();
  return `${local.slice(0, 19)}+08:00`;
}

/** The record as its source system would have sent it, in the event's feed format. */
function sourceRecord(event: Omit<NormalizedEvent, 'raw'>, key: string): NormalizedEvent['raw'] {
  const [lon, lat] = event.location?.coordinates ?? [undefined, undefined];
  const when = localIso(event.occurredAt);
  switch (event.source.format) {
    case 'open311-v2-xml':
      return {
        contentType: 'application/xml',
        body:
          `<service_requests><request><service_request_id>${event.source.id}</service_request_id>` +
          `<status>open</status><service_code>${key}</service_code><requested_datetime>${when}</requested_datetime>` +
          (lat !== undefined ? `<lat>${lat}</lat><long>${lon}</long>` : '') +
          `</request></service_requests>`,
      };
    case 'open311-v2-json':
      return {
        contentType: 'application/json',
        body: JSON.stringify([
          {
            service_request_id: event.source.id,
            status: 'open',
            service_code: key,
            requested_datetime: when,
            lat,
            long: lon,
          },
        ]),
      };
    case 'sensorthings-1.1': {
      const m = event.measurements[0];
      return {
        contentType: 'application/json',
        body: JSON.stringify({
          '@iot.id': event.source.id,
          phenomenonTime: event.occurredAt,
          resultTime: event.occurredAt,
          result: m?.value,
          Datastream: { '@iot.id': event.place?.id ?? key },
        }),
      };
    }
    case 'cap-1.2':
    case 'police-json':
    case 'market-json':
    case 'health-json':
    case 'traffic-json':
      return {
        contentType: 'application/json',
        body: JSON.stringify({
          recordId: event.source.id,
          type: key,
          occurredAt: when,
          ...(lat !== undefined ? { location: { lon, lat } } : {}),
          ...event.attributes,
        }),
      };
  }
}

/** A normalized event as it stands on `events.<department>.v1`. */
export function buildEvent(spec: EventSpec): NormalizedEvent {
  const dot = spec.type.indexOf('.');
  const department = spec.type.slice(0, dot) as DepartmentCode;
  const key = spec.type.slice(dot + 1);
  const vocabulary = VOCABULARIES[department][key];
  const occurred = typeof spec.at === 'number' ? spec.at : Date.parse(spec.at);
  const format = spec.cap ? 'cap-1.2' : (spec.format ?? defaultFormat(department));
  const title = vocabulary?.name;
  const text = title?.zh ?? 'CAP预警';
  const base: Omit<NormalizedEvent, 'raw'> = {
    id: scenarioEventId(department, spec.sourceId),
    department,
    source: {
      system: spec.cap ? `${department}-cap` : SOURCE_SYSTEMS[department],
      format,
      id: spec.sourceId,
      ...(spec.cap ? { sender: `${department}@nanhai.gov.cn` } : {}),
      crs: 'WGS84',
    },
    kind: spec.kind ?? (spec.cap ? 'alert' : DEFAULT_KIND[department]),
    category: spec.category ?? vocabulary?.category ?? 'social_security',
    type: spec.type,
    severity: spec.severity ?? vocabulary?.severity ?? 'Moderate',
    status: spec.status ?? 'Actual',
    msgType: spec.msgType ?? 'Alert',
    references: [...(spec.references ?? [])],
    occurredAt: new Date(occurred).toISOString(),
    receivedAt: new Date(occurred + (spec.delaySeconds ?? 30) * 1000).toISOString(),
    ...(spec.lon !== undefined && spec.lat !== undefined
      ? {
          location: {
            type: 'Point' as const,
            coordinates: [micro(spec.lon), micro(spec.lat)] as [number, number],
          },
        }
      : {}),
    ...(spec.address !== undefined ? { address: spec.address } : {}),
    adminCode: '440605',
    ...(spec.place ? { place: spec.place } : {}),
    ...(title ? { title } : {}),
    texts: spec.cap
      ? [{ language: 'zh-CN', headline: text, event: text, senderName: departmentEntry(department).name.zh }]
      : spec.description
        ? [{ language: 'zh-CN', description: spec.description }]
        : [],
    measurements: spec.measurements ? spec.measurements.map((m) => ({ ...m })) : [],
    attributes: { ...(spec.attributes ?? {}) },
    geocodes: [],
  };
  const raw = spec.cap
    ? { contentType: 'application/cap+xml', body: capXml(base, spec.sourceId, text) }
    : sourceRecord(base, key);
  return { ...base, raw };
}
