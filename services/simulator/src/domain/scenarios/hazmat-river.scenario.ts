import { NANHAI_GAUGES } from '@liandong/contracts';
import {
  capAlert,
  healthRecord,
  observation,
  policeRecord,
  trafficRecord,
  type CapFields,
} from '../builders.ts';
import { createRandom, offset } from '../random.ts';
import { MINUTE, shanghaiTime, type Scenario, type SimRecord } from '../sim-record.ts';

const quality = NANHAI_GAUGES.find((g) => g.stationId === 'jiujiang-water-quality')!;
/** The riverside road upstream of the water-quality station on the Xijiang. */
const crash = offset(quality.position, 2200, 330);

/**
 * 危化品运输事故: a tanker carrying a flammable liquid (UN class 3) overturns on the riverside
 * road at Jiujiang; 110 and 120 are called; forty minutes later the water-quality station
 * downstream on the Xijiang alarms.
 */
export const hazmatRiver: Scenario = {
  name: 'hazmat-river',
  title: { zh: '危化品运输事故（临江）', en: 'Hazardous-goods accident near the river' },
  durationMs: 90 * MINUTE,
  expected: [
    'hazardous-goods accident followed by a water-quality alarm downstream on the Xijiang (traffic then water)',
  ],
  generate(runId, seed) {
    const random = createRandom(seed);
    const out: SimRecord[] = [];
    const scenario = 'hazmat-river';
    const sid = (prefix: string, n: number) => `${prefix}-${runId}-HZ${n.toString().padStart(3, '0')}`;
    out.push({
      atMs: 0,
      department: 'traffic',
      scenario,
      sourceId: sid('SZ', 0),
      contentType: 'application/json',
      build: trafficRecord(sid('SZ', 0), {
        situationRecordType: 'Accident',
        type: 'hazardous_goods_accident',
        roadName: '九江沿江路',
        vehiclesInvolved: 1,
        injured: 1,
        hazardousGoods: true,
        hazardousGoodsClass: '3',
        description: '一辆危化品槽罐车侧翻，疑似泄漏',
        point: crash,
      }),
    });
    out.push({
      atMs: 3 * MINUTE,
      department: 'police',
      scenario,
      sourceId: sid('JJ', 0),
      contentType: 'application/json',
      build: policeRecord(sid('JJ', 0), {
        recordType: 'call',
        type: 'hazardous_goods',
        priority: 1,
        summary: '沿江路槽罐车侧翻，有液体流入江边排水沟，气味刺鼻',
        point: offset(crash, 60, random.next() * 360),
        address: '九江镇沿江路',
      }),
    });
    out.push({
      atMs: 8 * MINUTE,
      department: 'health',
      scenario,
      sourceId: sid('120', 0),
      contentType: 'application/json',
      build: healthRecord(sid('120', 0), {
        recordType: 'dispatch',
        type: 'ems_dispatch',
        dispatchReason: '槽罐车司机受伤',
        point: crash,
      }),
    });
    // The traffic police warn of the closure by CAP, and update it when the spill is confirmed.
    const cap = (
      n: number,
      minute: number,
      fields: Pick<CapFields, 'severity' | 'headline' | 'description'>,
    ) => {
      const identifier = sid('CAP', n);
      const first = sid('CAP', 0);
      out.push({
        atMs: minute * MINUTE,
        department: 'traffic',
        scenario,
        sourceId: `nanhai-traffic,${identifier}`,
        contentType: 'application/cap+xml',
        build: (at, status) =>
          capAlert({
            sender: 'nanhai-traffic',
            identifier,
            senderName: '佛山市公安局南海分局交通警察大队',
            category: 'Transport',
            eventCode: 'hazardous_goods_accident',
            event: { zh: '危化品运输事故', en: 'Hazardous goods transport accident' },
            urgency: 'Immediate',
            certainty: 'Observed',
            areaDesc: { zh: '九江镇沿江路', en: 'Jiujiang riverside road' },
            circle: { center: crash, radiusKm: 1 },
            ...fields,
            ...(n > 0
              ? {
                  msgType: 'Update' as const,
                  references: `nanhai-traffic,${first},${shanghaiTime(new Date(at.getTime() - (minute - 15) * MINUTE))}`,
                }
              : {}),
          })(at, status),
      });
    };
    cap(0, 15, {
      severity: 'Severe',
      headline: {
        zh: '九江镇沿江路危化品车辆侧翻，实施交通管制',
        en: 'Tanker overturned on the Jiujiang riverside road: road closed',
      },
      description: {
        zh: '一辆危化品槽罐车在九江镇沿江路侧翻，现场实施交通管制，请绕行。',
        en: 'A tanker carrying dangerous goods overturned on the Jiujiang riverside road; the road is closed, use other routes.',
      },
    });
    cap(1, 55, {
      severity: 'Extreme',
      headline: {
        zh: '九江镇沿江路危化品泄漏，扩大管制范围',
        en: 'Dangerous goods leaking on the Jiujiang riverside road: closure widened',
      },
      description: {
        zh: '槽罐车泄漏已确认，液体流入江边排水沟，管制范围扩大至一公里，请远离现场。',
        en: 'The tanker is confirmed leaking into the riverside drains; the closure is widened to one kilometre, keep away.',
      },
    });
    // The quality station reports every five minutes; the plume arrives after about forty.
    for (let step = 0; step < 18; step += 1) {
      const minute = step * 5;
      const index = minute < 40 ? 31 + random.normal(0, 2) : Math.min(92, 40 + (minute - 40) * 2.2);
      const observationId = sid(`OBS${String(quality.datastreamId)}`, step);
      out.push({
        atMs: minute * MINUTE,
        department: 'water',
        scenario,
        sourceId: `${String(quality.datastreamId)}:${observationId}`,
        contentType: 'application/json',
        build: observation(Number(quality.datastreamId), observationId, index),
      });
    }
    return out.sort((a, b) => a.atMs - b.atMs);
  },
};
