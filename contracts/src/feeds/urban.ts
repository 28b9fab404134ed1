import { vocabularyKeys, type Vocabulary } from './common.ts';

/**
 * Urban management (城管) vocabulary. Requests arrive as Open311 GeoReport v2 service requests;
 * the service code is mapped to one of these types by the urban ingest service's code table
 * (unknown codes become `other`).
 */
export const URBAN_VOCABULARY = {
  waterlogging: {
    name: { zh: '道路积水', en: 'Waterlogging' },
    category: 'natural_disaster',
    severity: 'Moderate',
  },
  road_damage: { name: { zh: '道路破损', en: 'Road damage' }, category: 'accident', severity: 'Minor' },
  manhole_cover: {
    name: { zh: '井盖缺失', en: 'Missing manhole cover' },
    category: 'accident',
    severity: 'Moderate',
  },
  tree_fallen: {
    name: { zh: '树木倒伏', en: 'Fallen tree' },
    category: 'natural_disaster',
    severity: 'Moderate',
  },
  structure_danger: {
    name: { zh: '危房险情', en: 'Dangerous structure' },
    category: 'accident',
    severity: 'Severe',
  },
  gas_smell: { name: { zh: '燃气异味', en: 'Gas smell' }, category: 'accident', severity: 'Severe' },
  illegal_construction: {
    name: { zh: '违法建设', en: 'Illegal construction' },
    category: 'social_security',
    severity: 'Minor',
  },
  street_vendor: {
    name: { zh: '占道经营', en: 'Street vending' },
    category: 'social_security',
    severity: 'Minor',
  },
  garbage: { name: { zh: '垃圾堆积', en: 'Garbage' }, category: 'public_health', severity: 'Minor' },
  noise: { name: { zh: '噪音扰民', en: 'Noise' }, category: 'social_security', severity: 'Minor' },
  crowd_complaint: {
    name: { zh: '人员聚集投诉', en: 'Crowd complaint' },
    category: 'social_security',
    severity: 'Moderate',
  },
  petition: { name: { zh: '群众诉求', en: 'Petition' }, category: 'social_security', severity: 'Minor' },
  other: { name: { zh: '其他', en: 'Other' }, category: 'social_security', severity: 'Minor' },
} as const satisfies Vocabulary<string>;
export type UrbanType = keyof typeof URBAN_VOCABULARY;
export const URBAN_TYPES = vocabularyKeys(URBAN_VOCABULARY);
