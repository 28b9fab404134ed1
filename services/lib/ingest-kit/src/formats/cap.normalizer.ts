import {
  EVENT_STATUSES,
  MSG_TYPES,
  VOCABULARIES,
  type Category,
  type DepartmentCode,
  type EventText,
  type LocalizedText,
  type NamedValue,
  type NormalizedEvent,
  type Position,
} from '@liandong/contracts';
import { compact } from '../domain/compact.ts';
import { eventIdFor } from '../domain/event-id.ts';
import { rejected, type NormalizeContext, type RecordIssue, type RecordOutcome } from '../domain/outcome.ts';
import { futureSkewIssue } from '../domain/time.ts';
import { areaOf, centroidOf, CIRCLE_STEPS, readCapCircle, readCapPolygon } from './cap.geometry.ts';
import { capKey, readCapAlert, type CapAlert, type CapCategory, type CapInfo } from './cap.parser.ts';
import { parseXml, type XmlElement } from './xml.parser.ts';

export const CAP_CONTENT_TYPE = 'application/cap+xml';

/**
 * CAP 1.2 category → the four categories of the Emergency Response Law (突发事件应对法 art. 3)
 * as the national master plan (国家突发公共事件总体应急预案) fills them:
 *
 * | CAP | category | why |
 * |---|---|---|
 * | Geo, Met | natural_disaster | geophysical and meteorological hazards are 自然灾害 |
 * | Env | accident | "pollution and other environmental": 环境污染和生态破坏事件 are 事故灾难 in the plan |
 * | Health | public_health | 公共卫生事件 |
 * | Security | social_security | law enforcement, terrorism, military: 社会安全事件 |
 * | Rescue | social_security | "rescue and recovery"; in practice AMBER and missing-person alerts, which police file as 社会安全 |
 * | Safety, Fire, Transport, Infra, CBRNE | accident | 安全事故, 火灾, 交通运输事故, 公共设施和设备事故, 危化品 |
 * | Other | the category of the department's own `other` type (traffic has none: accident) | |
 *
 * The first category of the first info decides (senders list the main one first). When a
 * LIANDONG eventCode names a type of the department's vocabulary, that type's category wins, so
 * that one type always has one category.
 */
export const CAP_CATEGORY_TABLE: Record<Exclude<CapCategory, 'Other'>, Category> = {
  Geo: 'natural_disaster',
  Met: 'natural_disaster',
  Env: 'accident',
  Health: 'public_health',
  Security: 'social_security',
  Rescue: 'social_security',
  Safety: 'accident',
  Fire: 'accident',
  Transport: 'accident',
  Infra: 'accident',
  CBRNE: 'accident',
};

/** The valueName of the eventCode by which a sender names a Liandong type (case-insensitive). */
export const LIANDONG_EVENT_CODE = 'LIANDONG';

/**
 * valueNames of geocodes that carry a GB/T 2260 administrative code. GB/T 35965.1 does not fix
 * one; these are the spellings Liandong accepts until the district's senders settle on one.
 */
export const ADMIN_CODE_GEOCODES = ['GB/T 2260', 'GB/T2260', 'GB2260', 'ADMINCODE', 'ADCODE'];
const ADMIN_CODE = /^\d{6}(\d{3}(\d{3})?)?$/;

export function capCategory(category: CapCategory | undefined, department: DepartmentCode): Category {
  if (category !== undefined && category !== 'Other') return CAP_CATEGORY_TABLE[category];
  return VOCABULARIES[department]['other']?.category ?? 'accident';
}

/** The vocabulary key a LIANDONG eventCode names ("crowd_gathering" or "police.crowd_gathering"). */
function liandongKey(infos: CapInfo[], department: DepartmentCode): { key?: string; unknown?: string } {
  const vocabulary = VOCABULARIES[department];
  for (const info of infos) {
    for (const code of info.eventCodes) {
      if (code.valueName.trim().toUpperCase() !== LIANDONG_EVENT_CODE) continue;
      const value = code.value.trim().toLowerCase();
      const key = value.startsWith(`${department}.`) ? value.slice(department.length + 1) : value;
      if (Object.hasOwn(vocabulary, key)) return { key };
      return { unknown: code.value };
    }
  }
  return {};
}

function headline(infos: CapInfo[], language: string): string | undefined {
  return infos.find((i) => i.language.toLowerCase().startsWith(language) && i.headline)?.headline;
}

/** zh and en from the headlines in those languages, each falling back on the type's name, then the other. */
function titleOf(infos: CapInfo[], named: LocalizedText | undefined): LocalizedText | undefined {
  const zh = headline(infos, 'zh');
  const en = headline(infos, 'en');
  const any = infos.find((i) => i.headline)?.headline ?? infos[0]?.event;
  const title = { zh: zh ?? named?.zh ?? en ?? any, en: en ?? named?.en ?? zh ?? any };
  return title.zh && title.en ? { zh: title.zh, en: title.en } : undefined;
}

function textOf(info: CapInfo): EventText {
  const areaDesc = info.areas
    .map((a) => a.areaDesc)
    .filter(Boolean)
    .join('; ');
  return {
    language: info.language,
    event: info.event,
    ...compact({
      headline: info.headline,
      description: info.description,
      instruction: info.instruction,
      senderName: info.senderName,
      areaDesc: areaDesc || undefined,
    }),
  };
}

interface Geometry {
  area?: NormalizedEvent['area'];
  location?: NormalizedEvent['location'];
  issues: RecordIssue[];
}

/** The most vertices the polygons and circles of one alert may have together. */
export const MAX_AREA_VERTICES = 10_000;

/** Polygons and circles of every info, each distinct shape once (bilingual alerts repeat them). */
function geometryOf(infos: CapInfo[]): Geometry {
  const issues: RecordIssue[] = [];
  const rings: Position[][] = [];
  const points: Position[] = [];
  const seen = new Set<string>();
  const fresh = (kind: string, text: string) => {
    const key = `${kind} ${text.trim().replace(/\s+/g, ' ')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  // Bounded before any shape is read: every circle becomes CIRCLE_STEPS + 1 vertices, and 29,000
  // small circles made a 588 KB alert a 32 MB event.
  let vertices = 0;
  const tooMany = (path: string): RecordIssue => ({
    pointer: path,
    code: 'area_too_large',
    message: `the alert's polygons and circles have more than ${MAX_AREA_VERTICES} vertices in all (a circle counts ${CIRCLE_STEPS + 1}): simplify the areas or send them as geocodes`,
  });
  for (const area of infos.flatMap((i) => i.areas)) {
    for (const polygon of area.polygons) {
      if (!fresh('polygon', polygon.text)) continue;
      vertices += polygon.text.trim().split(/\s+/).length;
      if (vertices > MAX_AREA_VERTICES) return { issues: [...issues, tooMany(polygon.path)] };
      const ring = readCapPolygon(polygon.text, polygon.path);
      if (Array.isArray(ring)) rings.push(ring);
      else issues.push(ring);
    }
    for (const circle of area.circles) {
      if (!fresh('circle', circle.text)) continue;
      vertices += CIRCLE_STEPS + 1;
      if (vertices > MAX_AREA_VERTICES) return { issues: [...issues, tooMany(circle.path)] };
      const shape = readCapCircle(circle.text, circle.path);
      if ('pointer' in shape) issues.push(shape);
      else if (shape.kind === 'point') points.push(shape.point);
      else rings.push(shape.ring);
    }
  }
  const area = areaOf(rings);
  return { ...compact({ area, location: centroidOf(area, points) }), issues };
}

function geocodesOf(infos: CapInfo[]): NamedValue[] {
  const seen = new Set<string>();
  const out: NamedValue[] = [];
  for (const geocode of infos.flatMap((i) => i.areas.flatMap((a) => a.geocodes))) {
    const key = `${geocode.valueName}\u0000${geocode.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(geocode);
  }
  return out;
}

function adminCodeOf(geocodes: NamedValue[]): string | undefined {
  const names = new Set(ADMIN_CODE_GEOCODES.map((n) => n.toUpperCase()));
  return geocodes.find((g) => names.has(g.valueName.trim().toUpperCase()) && ADMIN_CODE.test(g.value))?.value;
}

function attributesOf(alert: CapAlert, first: CapInfo | undefined, unknownCode: string | undefined) {
  const attributes: NormalizedEvent['attributes'] = {
    capIdentifier: alert.identifier,
    scope: alert.scope,
    sentAt: alert.sent,
    ...compact({ capSource: alert.source, incidents: alert.incidents, liandongEventCode: unknownCode }),
  };
  if (!first) return attributes;
  return {
    ...attributes,
    capCategories: first.categories.join(' '),
    event: first.event,
    urgency: first.urgency,
    certainty: first.certainty,
    ...compact({
      responseTypes: first.responseTypes.join(' ') || undefined,
      effectiveAt: first.effective,
      onsetAt: first.onset,
      web: first.web,
    }),
  };
}

function statusIssue(status: string): RecordIssue {
  return {
    pointer: '/alert/status',
    code: 'status_not_accepted',
    message: `status ${status} is not taken: System messages are meant for the systems themselves and Drafts are not to be acted on; Liandong takes Actual, Exercise (drills) and Test`,
  };
}

function msgTypeIssue(msgType: string): RecordIssue {
  return {
    pointer: '/alert/msgType',
    code: 'msg_type_not_accepted',
    message: `msgType ${msgType} acknowledges or rejects an earlier message and is no event; Liandong takes Alert, Update and Cancel`,
  };
}

/**
 * The place rule every format follows: what reports something says where. A JSON record needs a
 * location, an address or an admin code; an Alert or Update needs an <info> with an <area> (its
 * areaDesc is the address; polygons, circles and geocodes the geometry). Only a Cancel, which
 * refers to messages that had their place, may leave it out.
 */
function placeIssue(msgType: string, infos: readonly CapInfo[]): RecordIssue | undefined {
  if (msgType === 'Cancel' || infos.some((i) => i.areas.length > 0)) return undefined;
  return {
    pointer: infos.length === 0 ? '/alert/info' : '/alert/info/area',
    code: 'missing_location',
    message: `the ${msgType} says nowhere where it applies: give an <info> with an <area> (its areaDesc, and a polygon, circle or geocode); only a Cancel may leave it out`,
  };
}

/**
 * Normalizes a parsed CAP 1.2 alert into one event of the context's department. The event id
 * comes from CAP's own key, `sender,identifier`; each `references` triple becomes the id of the
 * event it updates or cancels, by the same key. Times go to UTC; polygons and circles become
 * GeoJSON (lon, lat) and the location their centroid. Pure.
 */
export function normalizeCapAlert(
  root: XmlElement,
  text: string,
  index: number,
  context: NormalizeContext,
): RecordOutcome {
  const read = readCapAlert(root);
  if (!read.ok) return rejected(index, text, read.issues, read.sourceId);
  const { alert } = read;
  const { department } = context;
  const sourceId = capKey(alert.sender, alert.identifier);
  const status = EVENT_STATUSES.find((s) => s === alert.status);
  const msgType = MSG_TYPES.find((m) => m === alert.msgType);
  const issues: RecordIssue[] = [];
  if (!status) issues.push(statusIssue(alert.status));
  if (!msgType) issues.push(msgTypeIssue(alert.msgType));
  if (sourceId.length > 512) {
    issues.push({
      pointer: '/alert/identifier',
      code: 'invalid_field',
      message: 'sender and identifier together are longer than 512 characters',
    });
  }
  const place = placeIssue(alert.msgType, alert.infos);
  if (place) issues.push(place);
  const skew = futureSkewIssue(alert.sent, context.receivedAt, '/alert/sent');
  if (skew) issues.push(skew);
  const geometry = geometryOf(alert.infos);
  issues.push(...geometry.issues);
  if (issues.length > 0 || !status || !msgType) return rejected(index, text, issues, sourceId);

  const first = alert.infos[0];
  const { key, unknown } = liandongKey(alert.infos, department);
  const entry = key === undefined ? undefined : VOCABULARIES[department][key];
  const geocodes = geocodesOf(alert.infos);
  const references = [
    ...new Set(alert.references.map((r) => eventIdFor(department, capKey(r.sender, r.identifier)))),
  ];
  const event: NormalizedEvent = {
    id: eventIdFor(department, sourceId),
    department,
    source: { system: context.sourceSystem, format: 'cap-1.2', id: sourceId, sender: alert.sender },
    kind: 'alert',
    category: entry?.category ?? capCategory(first?.categories[0], department),
    type: `${department}.${key ?? 'cap_alert'}`,
    severity: first?.severity ?? 'Unknown',
    status,
    msgType,
    references,
    occurredAt: first?.onset ?? first?.effective ?? alert.sent,
    receivedAt: context.receivedAt.toISOString(),
    ...compact({
      expiresAt: first?.expires,
      location: geometry.location,
      area: geometry.area,
      adminCode: adminCodeOf(geocodes),
      title: titleOf(alert.infos, entry?.name),
    }),
    texts: alert.infos.map(textOf),
    measurements: [],
    attributes: attributesOf(alert, first, unknown),
    geocodes,
    raw: { contentType: CAP_CONTENT_TYPE, body: text },
  };
  return { ok: true, index, event, raw: text };
}

/** Parses (safely) and normalizes one CAP 1.2 document; throws AppError when it is not safe, well-formed XML. */
export function normalizeCapDocument(text: string, context: NormalizeContext): RecordOutcome[] {
  return [normalizeCapAlert(parseXml(text), text, 0, context)];
}
