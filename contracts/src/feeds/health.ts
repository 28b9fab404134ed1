import { Type, type Static } from '@sinclair/typebox';
import { recordBase, SourceTime, vocabularyKeys, type Vocabulary } from './common.ts';
import { Venue } from './market.ts';

/** Health (卫生健康) vocabulary: case reports, syndromic surveillance, 120 dispatches. */
export const HEALTH_VOCABULARY = {
  food_poisoning: {
    name: { zh: '食物中毒', en: 'Food poisoning' },
    category: 'public_health',
    severity: 'Severe',
  },
  infectious_disease: {
    name: { zh: '传染病病例', en: 'Infectious disease case' },
    category: 'public_health',
    severity: 'Moderate',
  },
  syndromic_fever: {
    name: { zh: '发热症候群', en: 'Fever syndrome' },
    category: 'public_health',
    severity: 'Minor',
  },
  syndromic_gastro: {
    name: { zh: '腹泻症候群', en: 'Gastrointestinal syndrome' },
    category: 'public_health',
    severity: 'Minor',
  },
  heatstroke: { name: { zh: '中暑', en: 'Heatstroke' }, category: 'public_health', severity: 'Moderate' },
  carbon_monoxide: {
    name: { zh: '一氧化碳中毒', en: 'Carbon monoxide poisoning' },
    category: 'accident',
    severity: 'Severe',
  },
  ems_dispatch: {
    name: { zh: '120出车', en: 'Ambulance dispatch' },
    category: 'public_health',
    severity: 'Moderate',
  },
  mass_casualty: { name: { zh: '群体伤亡', en: 'Mass casualty' }, category: 'accident', severity: 'Extreme' },
  other: { name: { zh: '其他', en: 'Other' }, category: 'public_health', severity: 'Minor' },
} as const satisfies Vocabulary<string>;
export type HealthType = keyof typeof HEALTH_VOCABULARY;

/** A case report, a syndromic surveillance count or a 120 dispatch as the health system sends it. */
export const HealthRecord = Type.Object(
  {
    recordId: Type.String({ minLength: 1, maxLength: 128, description: 'Report or dispatch number' }),
    recordType: Type.Union([Type.Literal('case'), Type.Literal('syndromic'), Type.Literal('dispatch')], {
      description:
        'case: a case report (个案); syndromic: a count over a period (症状监测); dispatch: a 120 dispatch',
    }),
    type: Type.Union(vocabularyKeys(HEALTH_VOCABULARY).map((k) => Type.Literal(k))),
    occurredAt: SourceTime,
    cases: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Cases in this report (1 for a single case)' }),
    ),
    severeCases: Type.Optional(Type.Integer({ minimum: 0 })),
    deaths: Type.Optional(Type.Integer({ minimum: 0 })),
    facility: Type.Optional(Type.String({ maxLength: 200, description: 'Reporting hospital or clinic' })),
    suspectedSource: Type.Optional(Venue),
    dispatchReason: Type.Optional(Type.String({ maxLength: 500 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    patient: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String()),
          idNumber: Type.Optional(Type.String()),
          age: Type.Optional(Type.Integer({ minimum: 0, maximum: 150 })),
        },
        { additionalProperties: false, description: 'Personal data' },
      ),
    ),
    ...recordBase,
  },
  {
    $id: 'HealthRecord',
    additionalProperties: false,
    examples: [
      {
        recordId: 'CDC-DEMO-0001',
        recordType: 'dispatch',
        type: 'syndromic_gastro',
        cases: 1,
        facility: '南海区人民医院',
        occurredAt: '2026-12-02T10:15:00+08:00',
        status: 'Exercise',
        adminCode: '440605',
        location: { lon: 113.101557, lat: 23.08285, crs: 'WGS84' },
      },
    ],
  },
);
export type HealthRecord = Static<typeof HealthRecord>;
