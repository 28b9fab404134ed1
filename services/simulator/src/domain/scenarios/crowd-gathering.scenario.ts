import { NANHAI_TOWNS } from '@liandong/contracts';
import { open311Request, policeRecord } from '../builders.ts';
import { createRandom, near, offset } from '../random.ts';
import { MINUTE, type Scenario, type SimRecord } from '../sim-record.ts';

const dali = NANHAI_TOWNS.find((t) => t.code === 'dali')!;
const site = offset(dali.center, 600, 120);

/**
 * 群体性事件苗头: workers of a closed factory gather over unpaid wages in Dali. 110 takes calls
 * as the crowd grows, some go on to the town government as a collective petition, and 12345
 * receives complaints about the crowd and petitions about the wages.
 */
export const crowdGathering: Scenario = {
  name: 'crowd-gathering',
  title: { zh: '人员聚集（群体性事件苗头）', en: 'Crowd gathering (mass-incident precursor)' },
  durationMs: 60 * MINUTE,
  expected: ['crowd-gathering / petitions surge in Dali, routed to police, petitions and governance'],
  generate(runId, seed) {
    const random = createRandom(seed);
    const out: SimRecord[] = [];
    const scenario = 'crowd-gathering';
    const sid = (prefix: string, n: number) => `${prefix}-${runId}-CG${n.toString().padStart(3, '0')}`;
    const calls = [
      [0, 'crowd_gathering', 30],
      [6, 'crowd_gathering', 50],
      [11, 'crowd_gathering', 80],
      [15, 'petition_gathering', 60],
      [19, 'crowd_gathering', 120],
      [24, 'crowd_gathering', 150],
      [30, 'petition_gathering', 100],
      [36, 'crowd_gathering', 200],
    ] as const;
    calls.forEach(([minute, type, people], i) => {
      const recordId = sid('JJ', i);
      out.push({
        atMs: minute * MINUTE,
        department: 'police',
        scenario,
        sourceId: recordId,
        contentType: 'application/json',
        build: policeRecord(recordId, {
          recordType: 'call',
          type,
          priority: people >= 100 ? 1 : 2,
          peopleInvolved: people,
          summary:
            type === 'crowd_gathering'
              ? `大沥镇某工业园门口约${people}人聚集，称被拖欠工资`
              : `约${people}人前往镇政府集体上访`,
          point: near(random, site, 250),
          address: '大沥镇广佛路某工业园',
        }),
      });
    });
    const requests = [
      [8, '012', '人员聚集', '工业园门口大量人员聚集堵路'],
      [14, '013', '群众诉求', '反映工厂拖欠工资问题'],
      [18, '012', '人员聚集', '聚集人员越来越多，交通受阻'],
      [26, '013', '群众诉求', '要求政府协调追讨欠薪'],
      [33, '012', '人员聚集', '现场有人情绪激动'],
    ] as const;
    requests.forEach(([minute, code, name, description], i) => {
      const requestId = sid('12345', i);
      out.push({
        atMs: minute * MINUTE,
        department: 'urban',
        scenario,
        sourceId: requestId,
        contentType: 'application/json',
        build: open311Request(requestId, {
          serviceCode: code,
          serviceName: name,
          description,
          point: near(random, site, 400),
          address: '大沥镇广佛路',
        }),
      });
    });
    return out.sort((a, b) => a.atMs - b.atMs);
  },
};
