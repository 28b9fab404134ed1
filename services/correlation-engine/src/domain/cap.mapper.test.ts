import { describe, expect, it } from 'vitest';
import type { Category, DepartmentCode, NormalizedEvent, Severity } from '@liandong/contracts';
import { createEngine } from './correlation.engine.ts';
import { loadRuleSet } from '../rules/rule-set.loader.ts';
import { at, near } from '../testing/event.fixture.ts';
import { capEventCodes, capVocabularyType, withCapType } from './cap.mapper.ts';

const rules = await loadRuleSet();

/** A CAP alert of a department as the CAP normalizer gives it: its info's event and headline kept. */
function cap(
  department: DepartmentCode,
  text: { event: string; headline?: string; language?: string },
  options: { minutes?: number; category?: Category; severity?: Severity; east?: number } = {},
): NormalizedEvent {
  const event = at(options.minutes ?? 0, `${department}.cap_alert`, {
    cap: true,
    severity: options.severity ?? 'Severe',
    category: options.category ?? 'accident',
    ...near(options.east ?? 0),
  });
  return {
    ...event,
    texts: [
      {
        language: text.language ?? 'zh-CN',
        event: text.event,
        ...(text.headline ? { headline: text.headline } : {}),
      },
    ],
  };
}

describe('a CAP message counts as what it says happened', () => {
  it.each([
    ['police', '车辆涉水被困', '海八路下穿隧道有车辆涉水被困，请市民绕行', 'police.people_trapped'],
    ['police', '城市内涝', '桂城街道多处路段出现内涝积水', 'police.flooding'],
    ['traffic', '道路积水', '桂澜路与海八路交叉口严重积水，部分车道封闭', 'traffic.flooded_road'],
    ['traffic', '交通管制', '佛平路桂城段因施工实行交通管制', 'traffic.road_closure'],
    ['urban', '路面塌陷', '南海大道北某路段发生路面塌陷，已设置围蔽', 'urban.road_damage'],
    ['urban', '燃气泄漏', '千灯湖片区居民反映闻到燃气味', 'urban.gas_smell'],
    ['market', '电梯困人', '某小区3号楼电梯故障困人，维保单位已赶赴现场', 'market.elevator_entrapment'],
    ['market', '食品安全事件', '多名顾客在某餐厅进食后出现呕吐腹泻症状', 'market.food_complaint'],
    ['health', '食物中毒', '某学校食堂疑似食物中毒，12名学生送医', 'health.food_poisoning'],
    ['police', '人员聚集讨薪', '大沥镇某工业园门口有人员聚集讨薪', 'police.petition_gathering'],
    ['police', '人员聚集', '大沥镇广场有大量人员聚集', 'police.crowd_gathering'],
    ['water', '暴雨', '南海区发布暴雨橙色预警信号', 'water.rainfall'],
    ['water', '水质异常', '西江某断面水质自动站监测到水质异常', 'water.water_quality'],
  ] as const)('given %s CAP "%s" (%s), then %s', (department, event, headline, type) => {
    expect(capVocabularyType(cap(department, { event, headline }))).toBe(type);
  });

  it.each([
    ['health', 'Food poisoning', 'health.food_poisoning'],
    ['police', 'Crowd gathering outside the town hall', 'police.crowd_gathering'],
    ['traffic', 'Flooded road', 'traffic.flooded_road'],
    ['police', 'People trapped in floodwater', 'police.people_trapped'],
    ['police', 'Fireworks display', undefined],
  ] as const)('given the English event "%s" of %s, then %s', (department, event, type) => {
    expect(capVocabularyType(cap(department, { event, language: 'en-US' }))).toBe(type);
  });

  it('given a text with no term, or a term with no type in the department, then it stays cap_alert', () => {
    expect(withCapType(cap('police', { event: '通知', headline: '关于做好安全生产工作的通知' })).type).toBe(
      'police.cap_alert',
    );
    // A flood crest is the water bureau's; the market bureau has no type for it.
    expect(withCapType(cap('market', { event: '洪水' })).type).toBe('market.cap_alert');
  });

  it('given an eventCode of a configured code list, then the code decides before the text', () => {
    const event = cap('police', { event: '警情通报' });
    const coded = {
      ...event,
      raw: {
        ...event.raw,
        body: event.raw.body.replace(
          '<urgency>',
          '<eventCode><valueName>NANHAI-110</valueName><value>0307</value></eventCode><urgency>',
        ),
      },
    };
    expect(capEventCodes(coded.raw.body)).toEqual([{ valueName: 'NANHAI-110', value: '0307' }]);
    expect(capVocabularyType(coded, { 'NANHAI-110': { '0307': 'police.flooding' } })).toBe('police.flooding');
    // A code naming another department's type, or an unknown code, is not taken.
    expect(capVocabularyType(coded, { 'NANHAI-110': { '0307': 'urban.waterlogging' } })).toBeUndefined();
    expect(capVocabularyType(coded, { 'NANHAI-110': { '9999': 'police.flooding' } })).toBeUndefined();
  });

  it('given three departments’ CAP messages about one flooded crossing (Met, Transport, Rescue), then a rainstorm-waterlogging warning, orange for the people trapped', () => {
    const messages = [
      cap(
        'water',
        { event: '暴雨内涝', headline: '南海区发布暴雨内涝风险预警' },
        { category: 'natural_disaster' },
      ),
      cap(
        'traffic',
        { event: '道路积水', headline: '桂澜路与海八路交叉口严重积水' },
        { minutes: 10, east: 300 },
      ),
      cap(
        'police',
        { event: '车辆涉水被困', headline: '海八路下穿隧道有车辆涉水被困' },
        { minutes: 20, east: -200, category: 'social_security' },
      ),
    ];
    const engine = createEngine(rules);
    const warnings = messages.flatMap((m) => engine.correlate(m).warnings);
    const waterlogging = warnings.filter((w) => w.ruleId === 'rainstorm-waterlogging');
    expect(waterlogging.at(-1)?.level).toBe('orange');
    expect(waterlogging.at(-1)?.departments).toEqual(expect.arrayContaining(['water', 'traffic', 'police']));

    // The same messages saying nothing the table knows: categories alone raise no such warning.
    const vague = createEngine(rules);
    const blank = messages.map((m) => ({ ...m, texts: [{ language: 'zh-CN', event: '预警信息' }] }));
    expect(
      blank.flatMap((m) => vague.correlate(m).warnings).filter((w) => w.ruleId === 'rainstorm-waterlogging'),
    ).toEqual([]);
  });
});
