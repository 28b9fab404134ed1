import { NANHAI_GAUGES, NANHAI_TOWNS } from '@liandong/contracts';
import { capAlert, observation, open311Request, policeRecord, trafficRecord } from '../builders.ts';
import { createRandom, near, offset } from '../random.ts';
import { MINUTE, type Scenario, type SimRecord } from '../sim-record.ts';

const guicheng = NANHAI_TOWNS.find((t) => t.code === 'guicheng')!;
const underpass = NANHAI_GAUGES.find((g) => g.stationId === 'haiba-underpass')!;
const waterway = NANHAI_GAUGES.find((g) => g.stationId === 'guicheng-foshan-waterway')!;
const pingzhou = NANHAI_GAUGES.find((g) => g.stationId === 'pingzhou-waterway')!;

/** Rain over Guicheng (mm in the past hour) at each five-minute step: builds, peaks, eases. */
function rainAt(step: number): number {
  const profile = [4, 9, 16, 24, 33, 45, 58, 66, 71, 68, 60, 52, 44, 36, 28, 21, 15, 10, 7, 5, 3, 2, 1, 0];
  return profile[Math.min(step, profile.length - 1)] as number;
}

/**
 * 暴雨内涝: a two-hour rainstorm over Guicheng. Rain gauges pass blue, yellow, orange; the Foshan
 * waterway climbs over its warning level; the Haiba Road underpass floods; citizens report
 * waterlogging to 12345; traffic reports flooded roads and accidents; 110 takes calls for
 * flooding and a car trapped in the underpass; the water bureau issues a CAP warning.
 */
export const rainstorm: Scenario = {
  name: 'rainstorm',
  title: { zh: '暴雨内涝', en: 'Rainstorm and waterlogging' },
  durationMs: 120 * MINUTE,
  expected: [
    'rainfall threshold warning at the Guicheng rain gauge (orange at its peak)',
    'Foshan waterway over its warning level',
    'rainstorm waterlogging cluster around the Haiba Road underpass (water, urban, traffic, police)',
  ],
  generate(runId, seed) {
    const random = createRandom(seed);
    const out: SimRecord[] = [];
    const scenario = 'rainstorm';
    const sid = (prefix: string, n: number) => `${prefix}-${runId}-RS${n.toString().padStart(3, '0')}`;
    for (let step = 0; step < 24; step += 1) {
      const atMs = step * 5 * MINUTE;
      const rain = rainAt(step);
      const push = (datastreamId: number, value: number) => {
        const observationId = sid(`OBS${datastreamId}`, step);
        out.push({
          atMs,
          department: 'water',
          scenario,
          sourceId: `${datastreamId}:${observationId}`,
          contentType: 'application/json',
          build: observation(datastreamId, observationId, value),
        });
      };
      push(21, rain + random.normal(0, 1.5));
      push(22, rain * 0.7 + random.normal(0, 1.5));
      const rise = Math.min(1, step / 14);
      push(Number(waterway.datastreamId), 1.75 + 1.15 * rise + random.normal(0, 0.02));
      push(Number(pingzhou.datastreamId), 1.7 + 0.7 * rise + random.normal(0, 0.02));
      push(Number(underpass.datastreamId), Math.max(0, (rain - 30) / 100 + (step > 8 ? 0.08 : 0)));
    }
    const hotspot = underpass.position;
    const calls = [
      [40, 'flooding', '海八路下穿隧道积水严重，车辆无法通行', 2],
      [46, 'people_trapped', '一辆小车被困海八路隧道，车内两人', 1],
      [52, 'flooding', '灯湖东路积水过膝', 3],
      [58, 'traffic_accident', '积水路段两车追尾', 3],
      [64, 'flooding', '南海大道辅道积水', 3],
    ] as const;
    calls.forEach(([minute, type, summary, priority], i) => {
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
          priority,
          summary,
          point: near(random, hotspot, 600),
          address: '桂城街道海八路',
          ...(type === 'people_trapped' ? { peopleInvolved: 2 } : {}),
        }),
      });
    });
    for (let i = 0; i < 6; i += 1) {
      const requestId = sid('12345', i);
      out.push({
        atMs: (35 + i * 6) * MINUTE,
        department: 'urban',
        scenario,
        sourceId: requestId,
        contentType: 'application/json',
        build: open311Request(requestId, {
          serviceCode: '001',
          serviceName: '道路积水',
          description: '小区门口积水约30厘米，排水口堵塞',
          point: near(random, hotspot, 800),
          address: '桂城街道灯湖东路',
        }),
      });
    }
    const traffic = [
      [44, 'flooded_road', 'EnvironmentalObstruction', '海八路'],
      [50, 'road_closure', 'RoadOrCarriagewayOrLaneManagement', '海八路下穿隧道'],
      [55, 'accident', 'Accident', '灯湖东路'],
      [62, 'flooded_road', 'EnvironmentalObstruction', '南海大道'],
    ] as const;
    traffic.forEach(([minute, type, datex, road], i) => {
      const recordId = sid('SZ', i);
      out.push({
        atMs: minute * MINUTE,
        department: 'traffic',
        scenario,
        sourceId: recordId,
        contentType: 'application/json',
        build: trafficRecord(recordId, {
          situationRecordType: datex,
          type,
          roadName: road,
          ...(type === 'flooded_road' ? { waterDepthCm: 35 } : {}),
          ...(type === 'road_closure' ? { fullClosure: true } : {}),
          ...(type === 'accident' ? { vehiclesInvolved: 2, injured: 1 } : {}),
          point: near(random, hotspot, 700),
        }),
      });
    });
    out.push({
      atMs: 38 * MINUTE,
      department: 'water',
      scenario,
      sourceId: `nanhai-water,${sid('CAP', 0)}`,
      contentType: 'application/cap+xml',
      build: capAlert({
        sender: 'nanhai-water',
        identifier: sid('CAP', 0),
        senderName: '南海区水利局',
        category: 'Met',
        eventCode: 'waterlogging_depth',
        event: { zh: '城市内涝', en: 'Urban waterlogging' },
        headline: { zh: '桂城街道内涝预警', en: 'Waterlogging warning for Guicheng' },
        description: {
          zh: '受强降雨影响，桂城街道低洼路段及下穿隧道出现积水，请市民避开积水路段。',
          en: 'Heavy rain has flooded low-lying roads and underpasses in Guicheng; avoid flooded roads.',
        },
        severity: 'Severe',
        urgency: 'Immediate',
        certainty: 'Observed',
        areaDesc: { zh: '桂城街道', en: 'Guicheng' },
        circle: { center: offset(guicheng.center, 0, 0), radiusKm: 3 },
      }),
    });
    return out.sort((a, b) => a.atMs - b.atMs);
  },
};
