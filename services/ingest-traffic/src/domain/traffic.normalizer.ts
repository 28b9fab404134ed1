import { TRAFFIC_DATEX_TYPE, TRAFFIC_VOCABULARY, TrafficRecord, type Measurement } from '@liandong/contracts';
import {
  compact,
  normalizeJsonRecord,
  type JsonFeed,
  type NormalizeContext,
  type RecordOutcome,
  atLeast,
  vocabularyEventBody,
  type EscalationRule,
} from '@liandong/ingest-kit';

/**
 * Traffic severity escalation. Casualties follow the grading of accidents (生产安全事故报告和
 * 调查处理条例: 3 dead or 10 seriously injured make a larger accident than the lowest grade);
 * a vehicle carrying dangerous goods is severe whatever else happened (the correlator then
 * watches for a water quality alarm downstream); water 30 cm deep stops ordinary cars.
 *
 * | rule | at least |
 * |---|---|
 * | dead ≥ 3 | Extreme |
 * | injured ≥ 10 | Extreme |
 * | dead ≥ 1 | Severe |
 * | injured ≥ 3 | Severe |
 * | hazardousGoods | Severe |
 * | waterDepthCm ≥ 30 | Severe |
 * | injured ≥ 1 | Moderate |
 */
export const TRAFFIC_ESCALATION: readonly EscalationRule<TrafficRecord>[] = [
  atLeast('dead', 3, 'Extreme'),
  atLeast('injured', 10, 'Extreme'),
  atLeast('dead', 1, 'Severe'),
  atLeast('injured', 3, 'Severe'),
  { rule: 'hazardousGoods', severity: 'Severe', applies: (record) => record.hazardousGoods === true },
  atLeast('waterDepthCm', 30, 'Severe'),
  atLeast('injured', 1, 'Moderate'),
];

/** Accidents, congestion and closures, typed by the vocabulary and its DATEX II record type. */
export const trafficFeed: JsonFeed<typeof TrafficRecord> = {
  schema: TrafficRecord,
  format: 'traffic-json',
  sourceIdField: 'recordId',
  occurredAtField: 'occurredAt',
  build(record) {
    const datex = TRAFFIC_DATEX_TYPE[record.type];
    if (record.situationRecordType !== datex) {
      return [
        {
          pointer: '/situationRecordType',
          code: 'inconsistent_type',
          message: `type ${record.type} is a DATEX II ${datex}, not ${record.situationRecordType}`,
        },
      ];
    }
    const body = vocabularyEventBody('traffic', TRAFFIC_VOCABULARY, record, TRAFFIC_ESCALATION);
    // The depth as the water gauges report it, so that one rule can read both.
    const measurements: Measurement[] =
      record.waterDepthCm === undefined
        ? []
        : [{ name: 'water_depth', value: Math.round(record.waterDepthCm * 1e4) / 1e6, unit: 'm' }];
    return {
      ...body,
      kind: 'incident',
      ...(record.roadName ? { place: { name: record.roadName, kind: 'road' } } : {}),
      measurements,
      attributes: {
        situationRecordType: record.situationRecordType,
        ...compact({
          roadName: record.roadName,
          direction: record.direction,
          vehiclesInvolved: record.vehiclesInvolved,
          injured: record.injured,
          dead: record.dead,
          hazardousGoods: record.hazardousGoods,
          hazardousGoodsClass: record.hazardousGoodsClass,
          queueLengthM: record.queueLengthM,
          lanesClosed: record.lanesClosed,
          fullClosure: record.fullClosure,
          waterDepthCm: record.waterDepthCm,
        }),
        ...body.attributes,
      },
    };
  },
};

export function normalizeTrafficRecord(
  value: unknown,
  index: number,
  context: NormalizeContext,
): RecordOutcome {
  return normalizeJsonRecord(trafficFeed, value, index, context);
}
