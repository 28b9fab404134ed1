import { NANHAI_TOWNS } from '@liandong/contracts';
import { healthRecord, marketRecord } from '../builders.ts';
import { createRandom, near, offset } from '../random.ts';
import { MINUTE, type Scenario, type SimRecord } from '../sim-record.ts';

const guicheng = NANHAI_TOWNS.find((t) => t.code === 'guicheng')!;
const venue = { id: 'JY14406050012345', name: '桂城灯湖东路某酒楼' };
const venuePoint = offset(guicheng.center, 900, 40);

/**
 * 食物中毒: after a wedding banquet at one restaurant, clinics report gastro cases naming it,
 * 120 takes two ambulances, and diners complain to 12315 about the same venue.
 */
export const foodPoisoning: Scenario = {
  name: 'food-poisoning',
  title: { zh: '食物中毒聚集', en: 'Food-poisoning cluster' },
  durationMs: 180 * MINUTE,
  expected: ['food-poisoning cluster at 桂城灯湖东路某酒楼 (health and market), routed to health and market'],
  generate(runId, seed) {
    const random = createRandom(seed);
    const out: SimRecord[] = [];
    const scenario = 'food-poisoning';
    const sid = (prefix: string, n: number) => `${prefix}-${runId}-FP${n.toString().padStart(3, '0')}`;
    const cases = [
      [30, 2, '南海区人民医院'],
      [55, 3, '桂城医院'],
      [80, 1, '南海区人民医院'],
      [110, 4, '南海区第二人民医院'],
      [140, 2, '桂城医院'],
    ] as const;
    cases.forEach(([minute, count, facility], i) => {
      const recordId = sid('CDC', i);
      out.push({
        atMs: minute * MINUTE,
        department: 'health',
        scenario,
        sourceId: recordId,
        contentType: 'application/json',
        build: healthRecord(recordId, {
          recordType: 'case',
          type: 'food_poisoning',
          cases: count,
          severeCases: i === 3 ? 1 : 0,
          facility,
          suspectedSource: venue,
          description: '午宴后出现呕吐、腹泻、腹痛',
          point: near(random, venuePoint, 1500),
        }),
      });
    });
    // A clinic's paper report of the first patient reaches the system two and a half hours late.
    out.push({
      atMs: 175 * MINUTE,
      reportedAfterMs: 150 * MINUTE,
      department: 'health',
      scenario,
      sourceId: sid('CDC', cases.length),
      contentType: 'application/json',
      build: healthRecord(sid('CDC', cases.length), {
        recordType: 'case',
        type: 'food_poisoning',
        cases: 1,
        severeCases: 0,
        facility: '桂城街道社区卫生服务中心',
        suspectedSource: venue,
        description: '午宴后呕吐、腹泻（补报）',
        point: near(random, venuePoint, 1500),
      }),
    });
    [45, 70].forEach((minute, i) => {
      const recordId = sid('120', i);
      out.push({
        atMs: minute * MINUTE,
        department: 'health',
        scenario,
        sourceId: recordId,
        contentType: 'application/json',
        build: healthRecord(recordId, {
          recordType: 'dispatch',
          type: 'ems_dispatch',
          dispatchReason: '多人腹痛呕吐',
          point: venuePoint,
        }),
      });
    });
    [65, 95, 125].forEach((minute, i) => {
      const recordId = sid('12315', i);
      out.push({
        atMs: minute * MINUTE,
        department: 'market',
        scenario,
        sourceId: recordId,
        contentType: 'application/json',
        build: marketRecord(recordId, {
          recordType: 'complaint',
          type: 'food_complaint',
          venue,
          peopleAffected: 3 + i,
          description: '在该酒楼用餐后多人不适，要求查处',
          point: venuePoint,
          address: '桂城街道灯湖东路',
        }),
      });
    });
    return out.sort((a, b) => a.atMs - b.atMs);
  },
};
