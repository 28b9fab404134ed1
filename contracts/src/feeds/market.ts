import { Type, type Static } from '@sinclair/typebox';
import { recordBase, SourceTime, vocabularyKeys, type Vocabulary } from './common.ts';

/** Market supervision (市场监管) vocabulary: 12315 complaints, inspections, special equipment. */
export const MARKET_VOCABULARY = {
  complaint: {
    name: { zh: '消费投诉', en: 'Consumer complaint' },
    category: 'social_security',
    severity: 'Minor',
  },
  food_complaint: {
    name: { zh: '食品安全投诉', en: 'Food safety complaint' },
    category: 'public_health',
    severity: 'Moderate',
  },
  price_complaint: {
    name: { zh: '价格投诉', en: 'Price complaint' },
    category: 'social_security',
    severity: 'Minor',
  },
  inspection: { name: { zh: '监督检查', en: 'Inspection' }, category: 'public_health', severity: 'Minor' },
  inspection_violation: {
    name: { zh: '检查发现违法', en: 'Inspection violation' },
    category: 'public_health',
    severity: 'Moderate',
  },
  elevator_entrapment: {
    name: { zh: '电梯困人', en: 'Elevator entrapment' },
    category: 'accident',
    severity: 'Severe',
  },
  special_equipment_fault: {
    name: { zh: '特种设备故障', en: 'Special equipment fault' },
    category: 'accident',
    severity: 'Moderate',
  },
  gas_cylinder: {
    name: { zh: '瓶装燃气隐患', en: 'Gas cylinder hazard' },
    category: 'accident',
    severity: 'Severe',
  },
  other: { name: { zh: '其他', en: 'Other' }, category: 'social_security', severity: 'Minor' },
} as const satisfies Vocabulary<string>;
export type MarketType = keyof typeof MARKET_VOCABULARY;

export const Venue = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Licence number (统一社会信用代码 or 许可证号) or registry id',
      }),
    ),
    name: Type.String({ minLength: 1, description: 'Name of the shop, restaurant, building or site' }),
  },
  { $id: 'Venue', additionalProperties: false },
);
export type Venue = Static<typeof Venue>;

/** A 12315 complaint, an inspection report or a special-equipment report as market supervision sends it. */
export const MarketRecord = Type.Object(
  {
    recordId: Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'Complaint, inspection or report number',
    }),
    recordType: Type.Union([
      Type.Literal('complaint'),
      Type.Literal('inspection'),
      Type.Literal('equipment'),
    ]),
    type: Type.Union(vocabularyKeys(MARKET_VOCABULARY).map((k) => Type.Literal(k))),
    occurredAt: SourceTime,
    venue: Type.Optional(Venue),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    peopleAffected: Type.Optional(
      Type.Integer({ minimum: 0, description: 'People affected (ill, trapped)' }),
    ),
    equipment: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([
            Type.Literal('elevator'),
            Type.Literal('escalator'),
            Type.Literal('boiler'),
            Type.Literal('pressure_vessel'),
            Type.Literal('gas_cylinder'),
            Type.Literal('crane'),
            Type.Literal('other'),
          ]),
          registrationCode: Type.Optional(Type.String({ description: '设备注册代码' })),
        },
        { additionalProperties: false },
      ),
    ),
    complainant: Type.Optional(
      Type.Object(
        { name: Type.Optional(Type.String()), phone: Type.Optional(Type.String()) },
        { additionalProperties: false, description: 'Personal data' },
      ),
    ),
    ...recordBase,
  },
  {
    $id: 'MarketRecord',
    additionalProperties: false,
    examples: [
      {
        recordId: '12315-DEMO-0001',
        recordType: 'complaint',
        type: 'complaint',
        description: '消费者投诉商品质量问题',
        venue: { name: '大沥镇某商店' },
        address: '大沥镇沿江路',
        occurredAt: '2026-12-02T10:15:00+08:00',
        status: 'Exercise',
        adminCode: '440605',
        location: { lon: 113.135714, lat: 23.094127, crs: 'WGS84' },
      },
    ],
  },
);
export type MarketRecord = Static<typeof MarketRecord>;
