import {
  NANHAI_ADMIN_CODE,
  type EventStatus,
  type HealthRecord,
  type MarketRecord,
  type PoliceRecord,
  type TrafficRecord,
} from '@liandong/contracts';
import { shanghaiTime } from './sim-record.ts';

export interface Point {
  lon: number;
  lat: number;
}

/** Department systems in Foshan mostly send GCJ-02 (AMap) positions; we send WGS-84 here and say so. */
const at = (p: Point) => ({ lon: p.lon, lat: p.lat, crs: 'WGS84' as const });

/** The fields a scenario gives for a documented JSON record; the rest is filled when it is sent. */
type RecordFields<R> = Omit<R, 'recordId' | 'occurredAt' | 'status' | 'location' | 'adminCode'> & {
  point?: Point;
};

/** A record of a department's documented JSON format, stamped with its time and status when sent. */
function departmentRecord<R>(
  recordId: string,
  fields: RecordFields<R>,
  times: (occurredAt: Date) => Record<string, string> = () => ({}),
) {
  const { point, ...rest } = fields;
  return (occurredAt: Date, status: EventStatus): R =>
    ({
      recordId,
      ...rest,
      occurredAt: shanghaiTime(occurredAt),
      ...times(occurredAt),
      status,
      adminCode: NANHAI_ADMIN_CODE,
      ...(point ? { location: at(point) } : {}),
    }) as R;
}

/** A 110 call or incident, reported to the command centre half a minute after it happened. */
export const policeRecord = (recordId: string, fields: RecordFields<PoliceRecord>) =>
  departmentRecord<PoliceRecord>(recordId, fields, (occurredAt) => ({
    reportedAt: shanghaiTime(new Date(occurredAt.getTime() + 30_000)),
  }));
export const marketRecord = (recordId: string, fields: RecordFields<MarketRecord>) =>
  departmentRecord<MarketRecord>(recordId, fields);
export const healthRecord = (recordId: string, fields: RecordFields<HealthRecord>) =>
  departmentRecord<HealthRecord>(recordId, fields);
export const trafficRecord = (recordId: string, fields: RecordFields<TrafficRecord>) =>
  departmentRecord<TrafficRecord>(recordId, fields);

/**
 * An Open311 GeoReport v2 service request as the 12345 platform's GET /requests returns it.
 * `liandong_status` is Liandong's extension for drills: GeoReport has no notion of one.
 */
export function open311Request(
  serviceRequestId: string,
  fields: { serviceCode: string; serviceName: string; description: string; point: Point; address: string },
) {
  return (occurredAt: Date, status: EventStatus) => ({
    service_request_id: serviceRequestId,
    status: 'open',
    service_name: fields.serviceName,
    service_code: fields.serviceCode,
    description: fields.description,
    agency_responsible: '南海区城市管理和综合执法局',
    requested_datetime: shanghaiTime(occurredAt),
    updated_datetime: shanghaiTime(occurredAt),
    address: fields.address,
    lat: fields.point.lat,
    long: fields.point.lon,
    liandong_status: status,
  });
}

/**
 * An OGC SensorThings 1.1 Observation of a registry Datastream. Drills are marked in
 * `parameters.status`, the Observation's free-form parameters.
 */
export function observation(datastreamId: number, observationId: string, result: number) {
  return (occurredAt: Date, status: EventStatus) => ({
    '@iot.id': observationId,
    phenomenonTime: occurredAt.toISOString(),
    resultTime: new Date(occurredAt.getTime() + 5_000).toISOString(),
    result: Math.round(result * 100) / 100,
    Datastream: { '@iot.id': datastreamId },
    parameters: { status },
  });
}

const escapeXml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );

export interface CapFields {
  sender: string;
  identifier: string;
  senderName: string;
  category: string;
  eventCode: string;
  event: { zh: string; en: string };
  headline: { zh: string; en: string };
  description: { zh: string; en: string };
  severity: 'Extreme' | 'Severe' | 'Moderate' | 'Minor';
  urgency: 'Immediate' | 'Expected';
  certainty: 'Observed' | 'Likely';
  areaDesc: { zh: string; en: string };
  /** CAP circle: centre and radius in km. */
  circle: { center: Point; radiusKm: number };
  msgType?: 'Alert' | 'Update' | 'Cancel';
  references?: string;
  expiresInMinutes?: number;
}

/** A CAP 1.2 alert (GB/T 35965.1 style) with a zh-CN and an en-US info block. */
export function capAlert(fields: CapFields) {
  return (occurredAt: Date, status: EventStatus): string => {
    const sent = shanghaiTime(occurredAt);
    const expires = shanghaiTime(new Date(occurredAt.getTime() + (fields.expiresInMinutes ?? 180) * 60_000));
    const info = (lang: 'zh-CN' | 'en-US', key: 'zh' | 'en') => `
  <info>
    <language>${lang}</language>
    <category>${fields.category}</category>
    <event>${escapeXml(fields.event[key])}</event>
    <urgency>${fields.urgency}</urgency>
    <severity>${fields.severity}</severity>
    <certainty>${fields.certainty}</certainty>
    <eventCode><valueName>LIANDONG</valueName><value>${fields.eventCode}</value></eventCode>
    <effective>${sent}</effective>
    <onset>${sent}</onset>
    <expires>${expires}</expires>
    <senderName>${escapeXml(fields.senderName)}</senderName>
    <headline>${escapeXml(fields.headline[key])}</headline>
    <description>${escapeXml(fields.description[key])}</description>
    <area>
      <areaDesc>${escapeXml(fields.areaDesc[key])}</areaDesc>
      <circle>${fields.circle.center.lat},${fields.circle.center.lon} ${fields.circle.radiusKm}</circle>
      <geocode><valueName>GB/T 2260</valueName><value>${NANHAI_ADMIN_CODE}</value></geocode>
    </area>
  </info>`;
    return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${escapeXml(fields.identifier)}</identifier>
  <sender>${escapeXml(fields.sender)}</sender>
  <sent>${sent}</sent>
  <status>${status}</status>
  <msgType>${fields.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>${fields.references ? `\n  <references>${escapeXml(fields.references)}</references>` : ''}${info('zh-CN', 'zh')}${info('en-US', 'en')}
</alert>
`;
  };
}
