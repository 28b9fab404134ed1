/**
 * What a department's CAP message says happened, as data: for each kind of happening, the terms of
 * CAP `info/event` (and, failing that, `headline`) in zh-CN and English, and the vocabulary key it
 * is in each department that has one (`<department>.<key>`, see feeds/vocabulary.ts). The first
 * entry with a term found and a key for the sender's department wins, so more specific entries
 * come first (电梯困人 before 被困, 食物中毒 before 中毒). A department without a key for a happening
 * keeps `<department>.cap_alert` for it.
 *
 * Codes: an `eventCode` whose valueName is in CAP_EVENT_CODE_LISTS is looked up in that list (the
 * department's own code list, from configuration, takes the same form). GB/T 35561-2017
 * (突发事件分类与编码) codes are not built in: the standard's code table is not reproduced here
 * until checked against its text; a site that receives them configures them as a code list.
 */
import type { DepartmentCode } from './departments.ts';

export interface CapTermEntry {
  /** A name for people and tests. */
  readonly happening: string;
  /** Terms found anywhere in the zh text (substring). */
  readonly zh: readonly string[];
  /** Terms found as whole words, case-insensitive, in an English text. */
  readonly en: readonly string[];
  /** Vocabulary key per department. */
  readonly types: Readonly<Partial<Record<DepartmentCode, string>>>;
}

export const CAP_TERMS: readonly CapTermEntry[] = [
  {
    happening: 'elevator entrapment',
    zh: ['电梯困人', '电梯被困', '困梯', '电梯故障困人'],
    en: ['elevator entrapment', 'trapped in an elevator', 'trapped in a lift', 'lift entrapment'],
    types: { market: 'elevator_entrapment', police: 'people_trapped' },
  },
  {
    happening: 'food poisoning',
    zh: ['食物中毒', '食源性疾病', '集体中毒', '进食后', '呕吐腹泻'],
    en: ['food poisoning', 'foodborne', 'food-borne'],
    types: { health: 'food_poisoning', market: 'food_complaint', police: 'poisoning' },
  },
  {
    happening: 'carbon monoxide',
    zh: ['一氧化碳中毒', '煤气中毒'],
    en: ['carbon monoxide'],
    types: { health: 'carbon_monoxide', police: 'gas_leak' },
  },
  {
    happening: 'hazardous goods',
    zh: ['危化品', '危险化学品', '危险品', '化学品泄漏', '槽罐车'],
    en: ['hazardous goods', 'hazardous materials', 'hazmat', 'chemical spill', 'tanker'],
    types: { traffic: 'hazardous_goods_accident', police: 'hazardous_goods' },
  },
  {
    happening: 'water pollution',
    zh: ['水质污染', '水体污染', '水质异常', '死鱼'],
    en: ['water pollution', 'water quality'],
    types: { water: 'water_quality' },
  },
  {
    happening: 'gas leak',
    zh: ['燃气泄漏', '煤气泄漏', '天然气泄漏', '燃气', '煤气味', '液化气'],
    en: ['gas leak', 'smell of gas', 'gas smell', 'gas cylinder'],
    types: { police: 'gas_leak', urban: 'gas_smell', market: 'gas_cylinder' },
  },
  {
    happening: 'people trapped',
    zh: ['被困', '受困', '困人', '围困'],
    en: ['trapped', 'stranded', 'entrapment'],
    types: { police: 'people_trapped', market: 'elevator_entrapment' },
  },
  {
    happening: 'waterlogging',
    zh: ['内涝', '积水', '涉水', '水浸', '水淹', '淹水', '浸水', '水漫'],
    en: [
      'waterlogging',
      'waterlogged',
      'flooded road',
      'flooded street',
      'standing water',
      'urban flooding',
      'flooding',
    ],
    types: { police: 'flooding', urban: 'waterlogging', traffic: 'flooded_road' },
  },
  {
    happening: 'river flood',
    zh: ['超警戒水位', '超保证水位', '洪水', '洪峰', '河道水位'],
    en: ['river flood', 'flood crest', 'above warning level'],
    types: { water: 'river_level' },
  },
  {
    happening: 'rainstorm',
    zh: ['暴雨', '大暴雨', '强降雨', '强降水'],
    en: ['rainstorm', 'heavy rain', 'torrential rain'],
    types: { water: 'rainfall' },
  },
  {
    happening: 'collapse',
    zh: ['塌陷', '地陷', '坍塌', '倒塌', '路面沉降'],
    en: ['collapse', 'sinkhole', 'subsidence', 'cave-in'],
    types: { urban: 'road_damage', traffic: 'obstruction' },
  },
  {
    happening: 'petition',
    zh: ['上访', '信访', '讨薪', '维权'],
    en: ['petition', 'petitioners', 'wage arrears'],
    types: { police: 'petition_gathering', urban: 'petition' },
  },
  {
    happening: 'crowd gathering',
    zh: ['聚集', '围堵', '群体性', '人群'],
    en: ['crowd', 'gathering', 'protest', 'mass incident'],
    types: { police: 'crowd_gathering', urban: 'crowd_complaint' },
  },
  {
    happening: 'fire',
    zh: ['火灾', '起火', '着火', '火情'],
    en: ['fire', 'blaze'],
    types: { police: 'fire' },
  },
  {
    happening: 'heatstroke',
    zh: ['中暑', '高温'],
    en: ['heatstroke', 'heat stroke', 'heat illness'],
    types: { health: 'heatstroke' },
  },
  {
    happening: 'infectious disease',
    zh: ['传染病', '疫情', '聚集性病例', '发热病例'],
    en: ['outbreak', 'infectious disease', 'epidemic'],
    types: { health: 'infectious_disease' },
  },
  {
    happening: 'mass casualty',
    zh: ['群死群伤', '多人伤亡', '批量伤员'],
    en: ['mass casualty', 'multiple casualties'],
    types: { health: 'mass_casualty' },
  },
  {
    happening: 'traffic accident',
    zh: ['交通事故', '车祸', '追尾', '碰撞', '翻车'],
    en: ['traffic accident', 'road accident', 'collision', 'crash', 'pile-up'],
    types: { traffic: 'accident', police: 'traffic_accident' },
  },
  {
    happening: 'road closure',
    zh: ['封闭', '封路', '交通管制', '禁止通行'],
    en: ['road closure', 'road closed', 'closed to traffic'],
    types: { traffic: 'road_closure' },
  },
  {
    happening: 'congestion',
    zh: ['拥堵', '堵塞', '缓行'],
    en: ['congestion', 'traffic jam', 'queue'],
    types: { traffic: 'congestion' },
  },
];

/**
 * Code lists an `eventCode` may name in its valueName, each mapping a code to a vocabulary type
 * (`<department>.<key>`). Empty by default: a department's own list comes from configuration.
 */
export type CapEventCodeLists = Readonly<Record<string, Readonly<Record<string, string>>>>;
export const CAP_EVENT_CODE_LISTS: CapEventCodeLists = {};
