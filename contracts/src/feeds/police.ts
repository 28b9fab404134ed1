import { Type, type Static } from '@sinclair/typebox';
import { recordBase, SourceTime, vocabularyKeys, type Vocabulary } from './common.ts';

/**
 * 110 call-for-service (接警) and incident (警情) types. The severity is the default when a
 * record carries no priority.
 */
export const POLICE_VOCABULARY = {
  crowd_gathering: {
    name: { zh: '人员聚集', en: 'Crowd gathering' },
    category: 'social_security',
    severity: 'Moderate',
  },
  petition_gathering: {
    name: { zh: '群体上访', en: 'Collective petition' },
    category: 'social_security',
    severity: 'Moderate',
  },
  fight: { name: { zh: '打架斗殴', en: 'Fight' }, category: 'social_security', severity: 'Moderate' },
  disturbance: {
    name: { zh: '扰乱秩序', en: 'Public disturbance' },
    category: 'social_security',
    severity: 'Minor',
  },
  theft: { name: { zh: '盗窃', en: 'Theft' }, category: 'social_security', severity: 'Minor' },
  robbery: { name: { zh: '抢劫', en: 'Robbery' }, category: 'social_security', severity: 'Severe' },
  missing_person: {
    name: { zh: '人员走失', en: 'Missing person' },
    category: 'social_security',
    severity: 'Moderate',
  },
  traffic_accident: {
    name: { zh: '交通事故', en: 'Traffic accident' },
    category: 'accident',
    severity: 'Moderate',
  },
  fire: { name: { zh: '火情', en: 'Fire' }, category: 'accident', severity: 'Severe' },
  gas_leak: { name: { zh: '燃气泄漏', en: 'Gas leak' }, category: 'accident', severity: 'Severe' },
  flooding: { name: { zh: '积水内涝', en: 'Flooding' }, category: 'natural_disaster', severity: 'Moderate' },
  people_trapped: {
    name: { zh: '人员被困', en: 'People trapped' },
    category: 'accident',
    severity: 'Severe',
  },
  hazardous_goods: {
    name: { zh: '危险品泄漏', en: 'Hazardous goods' },
    category: 'accident',
    severity: 'Severe',
  },
  poisoning: { name: { zh: '中毒', en: 'Poisoning' }, category: 'public_health', severity: 'Severe' },
  noise: { name: { zh: '噪音扰民', en: 'Noise' }, category: 'social_security', severity: 'Minor' },
  other: { name: { zh: '其他', en: 'Other' }, category: 'social_security', severity: 'Minor' },
} as const satisfies Vocabulary<string>;
export type PoliceType = keyof typeof POLICE_VOCABULARY;

/**
 * A 110 call-for-service or incident record as the police dispatch system (接处警系统) sends it.
 * Caller details are personal data: kept in the raw record only, never logged.
 */
export const PoliceRecord = Type.Object(
  {
    recordId: Type.String({
      minLength: 1,
      maxLength: 128,
      description: '接警单号 / 警情编号, unique per source',
    }),
    recordType: Type.Union([Type.Literal('call'), Type.Literal('incident')], {
      description: 'call: a 110 call for service (接警); incident: a confirmed incident (警情)',
    }),
    type: Type.Union(
      vocabularyKeys(POLICE_VOCABULARY).map((k) => Type.Literal(k)),
      {
        description: 'From the police vocabulary',
      },
    ),
    occurredAt: SourceTime,
    reportedAt: Type.Optional(SourceTime),
    priority: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 4, description: '1 (highest) … 4; maps to CAP Extreme … Minor' }),
    ),
    summary: Type.Optional(Type.String({ maxLength: 4000, description: '简要案情' })),
    peopleInvolved: Type.Optional(Type.Integer({ minimum: 0, description: 'People involved or gathered' })),
    injured: Type.Optional(Type.Integer({ minimum: 0 })),
    dead: Type.Optional(Type.Integer({ minimum: 0 })),
    unit: Type.Optional(Type.String({ maxLength: 200, description: '处警单位' })),
    caller: Type.Optional(
      Type.Object(
        { name: Type.Optional(Type.String()), phone: Type.Optional(Type.String()) },
        { additionalProperties: false, description: 'Personal data' },
      ),
    ),
    ...recordBase,
  },
  {
    $id: 'PoliceRecord',
    additionalProperties: false,
    examples: [
      {
        recordId: 'JJ-DEMO-0001',
        recordType: 'call',
        type: 'theft',
        priority: 4,
        summary: '大沥镇广佛路附近群众报警，电动车被盗',
        address: '大沥镇广佛路',
        occurredAt: '2026-12-02T10:15:00+08:00',
        reportedAt: '2026-12-02T10:15:30+08:00',
        status: 'Exercise',
        adminCode: '440605',
        location: { lon: 113.106274, lat: 23.097854, crs: 'WGS84' },
      },
    ],
  },
);
export type PoliceRecord = Static<typeof PoliceRecord>;
