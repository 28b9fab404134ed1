/**
 * A planned message as an OASIS CAP 1.2 alert (GB/T 35965.1 follows CAP): one `info` in zh-CN
 * and one in en, the area as polygons (or a circle when a ring has more vertices than CAP
 * receivers commonly take) with GB/T 2260 geocodes of the town and the district. Pure.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import {
  CATEGORY_NAMES,
  DISPOSITIONS,
  LEVEL_NAMES,
  NANHAI_ADMIN_CODE,
  type Category,
  type Disposition,
  type GeoArea,
  type Level,
  type LocalizedText,
  type Position,
} from '@liandong/contracts';
import { beijingTime } from './identifier.ts';
import type { PlannedMessage } from './plan.ts';
import { distanceM, townAt } from './towns.ts';

export const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';
export const CAP_MEDIA_TYPE = 'application/cap+xml';
/** valueName of the GB/T 2260 geocodes (the spelling the project's CAP ingest reads). */
export const ADMIN_GEOCODE = 'GB/T 2260';
/** Polygons with more vertices than this go out as a circle (IPAWS and most receivers stop at 100). */
export const MAX_POLYGON_VERTICES = 100;

export interface CapIssuer {
  /** 14-digit issuing-unit code (GB/T 35965.1); it is also the CAP sender. */
  code: string;
  name: LocalizedText;
}

export interface IssuedRef {
  identifier: string;
  sent: Date;
}

export interface CapMessage {
  plan: PlannedMessage;
  identifier: string;
  issuer: CapIssuer;
  /** The earlier messages of the warning, oldest first (empty for the Alert). */
  references: IssuedRef[];
}

/** CAP category of each of the Emergency Response Law's four (the ingest maps them back). */
export const CAP_CATEGORY: Record<Category, string> = {
  natural_disaster: 'Met',
  accident: 'Safety',
  public_health: 'Health',
  social_security: 'Security',
};

/** GB/T 35965.1 maps the four colours onto CAP severity. */
export const CAP_SEVERITY: Record<Level, string> = {
  red: 'Extreme',
  orange: 'Severe',
  yellow: 'Moderate',
  blue: 'Minor',
};

const DISPOSITION_TEXT: Record<Disposition, LocalizedText> = {
  confirmed: { zh: '经核实属实，现已处置完毕', en: 'confirmed and dealt with' },
  no_impact: { zh: '经核实无影响', en: 'checked: no impact' },
  duplicate: { zh: '与另一预警重复，以另一预警为准', en: 'a duplicate of another warning, which stands' },
  false_alarm: { zh: '经核实为误报', en: 'checked: a false alarm' },
};
void DISPOSITIONS;

const round = (n: number) => Math.round(n * 1e6) / 1e6;
const pair = ([lon, lat]: Position) => `${round(lat)},${round(lon)}`;

interface CapShape {
  polygons: string[];
  circles: string[];
}

/** The rings of a GeoJSON area as CAP polygons (latitude first), or one enclosing circle. */
export function capShape(area: GeoArea, centroid: Position): CapShape {
  const rings = area.type === 'Polygon' ? [area.coordinates[0]] : area.coordinates.map((p) => p[0]);
  const outer = rings.filter((r): r is Position[] => !!r && r.length >= 4);
  if (outer.length > 0 && outer.every((r) => r.length <= MAX_POLYGON_VERTICES))
    return { polygons: outer.map((r) => r.map(pair).join(' ')), circles: [] };
  const [lon, lat] = centroid;
  const radiusM = Math.max(0, ...outer.flat().map(([x, y]) => distanceM({ lon, lat }, { lon: x, lat: y })));
  return { polygons: [], circles: [`${pair(centroid)} ${(Math.ceil(radiusM / 10) / 100).toFixed(2)}`] };
}

function headline(message: CapMessage, language: 'zh' | 'en'): string {
  const { plan } = message;
  const title = plan.warning.title[language];
  const level = LEVEL_NAMES[plan.warning.level][language];
  if (plan.msgType === 'Cancel')
    return language === 'zh' ? `撤销${level}：${title}` : `Cancelled: ${level} warning: ${title}`;
  if (plan.allClear)
    return language === 'zh' ? `解除${level}：${title}` : `All clear: ${level} warning: ${title}`;
  return language === 'zh' ? `${level}：${title}` : `${level} warning: ${title}`;
}

function description(message: CapMessage, language: 'zh' | 'en'): string {
  const { plan } = message;
  const lines = [plan.warning.summary[language]];
  for (const t of plan.warning.thresholds)
    lines.push(
      language === 'zh'
        ? `${t.name}：${t.value}${t.unit ?? ''}（阈值 ${t.threshold}${t.unit ?? ''}）`
        : `${t.name}: ${t.value}${t.unit ? ` ${t.unit}` : ''} (threshold ${t.threshold}${t.unit ? ` ${t.unit}` : ''})`,
    );
  if (plan.resolution) {
    const text = DISPOSITION_TEXT[plan.resolution.disposition][language];
    lines.push(language === 'zh' ? `处置结论：${text}。` : `Disposition: ${text}.`);
  } else if (plan.msgType === 'Cancel')
    lines.push(language === 'zh' ? '预警已撤销。' : 'The warning is withdrawn.');
  return lines.join('\n');
}

function instruction(message: CapMessage, language: 'zh' | 'en'): string | undefined {
  const { plan } = message;
  if (plan.msgType === 'Cancel' || plan.allClear) return undefined;
  const units = plan.warning.departments.join(', ');
  return language === 'zh'
    ? `请相关单位（${units}）按预案响应并及时签收。`
    : `The units concerned (${units}) respond according to their plans and acknowledge promptly.`;
}

function info(alert: XMLBuilder, message: CapMessage, language: 'zh' | 'en') {
  const { plan, issuer } = message;
  const w = plan.warning;
  const closing = plan.msgType === 'Cancel' || plan.allClear;
  const [lon, lat] = w.centroid.coordinates;
  const town = townAt({ lon, lat });
  const i = alert.ele('info');
  i.ele('language').txt(language === 'zh' ? 'zh-CN' : 'en');
  i.ele('category').txt(CAP_CATEGORY[w.category]);
  i.ele('event').txt(
    language === 'zh' ? `${CATEGORY_NAMES[w.category].zh}预警` : `${CATEGORY_NAMES[w.category].en} warning`,
  );
  i.ele('responseType').txt(plan.msgType === 'Cancel' ? 'None' : plan.allClear ? 'AllClear' : 'Monitor');
  i.ele('urgency').txt(
    closing ? 'Past' : w.level === 'red' || w.level === 'orange' ? 'Immediate' : 'Expected',
  );
  i.ele('severity').txt(CAP_SEVERITY[w.level]);
  i.ele('certainty').txt(plan.resolution?.disposition === 'confirmed' ? 'Observed' : 'Likely');
  i.ele('eventCode').ele('valueName').txt('LIANDONG_RULE').up().ele('value').txt(w.ruleId);
  i.ele('effective').txt(beijingTime(new Date(w.raisedAt)));
  i.ele('onset').txt(beijingTime(new Date(w.firstEvidenceAt)));
  if (closing) i.ele('expires').txt(beijingTime(plan.sent));
  i.ele('senderName').txt(issuer.name[language]);
  i.ele('headline').txt(headline(message, language));
  i.ele('description').txt(description(message, language));
  const instructionText = instruction(message, language);
  if (instructionText) i.ele('instruction').txt(instructionText);
  const parameter = (name: string, value: string) =>
    i.ele('parameter').ele('valueName').txt(name).up().ele('value').txt(value);
  parameter('LIANDONG_WARNING_ID', w.id);
  parameter('LIANDONG_REVISION', String(w.revision));
  parameter('WARNING_LEVEL', `${LEVEL_NAMES[w.level].roman} ${w.level}`);
  parameter('ROUTED_UNITS', w.departments.join(' '));
  if (plan.resolution) parameter('DISPOSITION', plan.resolution.disposition);
  const area = i.ele('area');
  const district = language === 'zh' ? '佛山市南海区' : 'Nanhai District, Foshan';
  const townName = town?.name[language];
  area
    .ele('areaDesc')
    .txt(townName ? (language === 'zh' ? `${district}${townName}` : `${townName}, ${district}`) : district);
  const shape = capShape(w.area, w.centroid.coordinates);
  for (const p of shape.polygons) area.ele('polygon').txt(p);
  for (const c of shape.circles) area.ele('circle').txt(c);
  if (town) area.ele('geocode').ele('valueName').txt(ADMIN_GEOCODE).up().ele('value').txt(town.code);
  area.ele('geocode').ele('valueName').txt(ADMIN_GEOCODE).up().ele('value').txt(NANHAI_ADMIN_CODE);
}

/** Adds the `alert` element of a message under `parent` (a document, or an Atom `content`). */
export function appendAlert(parent: XMLBuilder, message: CapMessage): XMLBuilder {
  const { plan, issuer } = message;
  const alert = parent.ele(CAP_NS, 'alert');
  alert.ele('identifier').txt(message.identifier);
  alert.ele('sender').txt(issuer.code);
  alert.ele('sent').txt(beijingTime(plan.sent));
  alert.ele('status').txt(plan.warning.exercise ? 'Exercise' : 'Actual');
  alert.ele('msgType').txt(plan.msgType);
  alert.ele('source').txt('Liandong');
  alert.ele('scope').txt('Public');
  if (plan.warning.exercise) alert.ele('note').txt('演练信息，非真实预警 / Exercise: not a real warning');
  if (message.references.length > 0)
    alert
      .ele('references')
      .txt(message.references.map((r) => `${issuer.code},${r.identifier},${beijingTime(r.sent)}`).join(' '));
  alert.ele('incidents').txt(plan.warningId.replace(/\s+/g, '_'));
  info(alert, message, 'zh');
  info(alert, message, 'en');
  return alert;
}

/** The message as a standalone CAP 1.2 document (UTF-8). */
export function renderCap(message: CapMessage): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  appendAlert(doc, message);
  return doc.end({ prettyPrint: true }) + '\n';
}
