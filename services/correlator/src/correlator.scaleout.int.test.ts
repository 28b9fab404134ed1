/**
 * Scale-out against the real broker: correlators of one consumer group divide the sequence topic's
 * partitions — the shards of the rules — between them, and together raise exactly the warnings and
 * revisions one engine with every rule raises over the same input, each once. The stream holds
 * five recorded scenarios (flood, food poisoning, crowd gathering, hazardous goods on a river,
 * feed outage: every family, silences and district-wide surges among them) and a chain of reports
 * across the line between Guicheng and Dali, each within 1 km of the next but 3.6 km end to end —
 * the chained cluster that division by area cannot raise exactly. Three rebalances while it plays:
 * a second correlator joins, the first leaves, a third joins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NANHAI_TOWNS, TOPICS, type NormalizedEvent, type Warning } from '@liandong/contracts';
import { loadRuleSet } from '@liandong/correlation-engine';
import { buildEvent } from '@liandong/correlation-engine/testing';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { decodeSequenced } from './adapters/engine.runner.ts';
import { HEADER, SEQUENCE_TOPIC, SHARDS_TOPIC } from './adapters/sequence.topic.ts';
import type { Correlator } from './correlator.ts';
import {
  eventually,
  playEvents,
  scenarioEvents,
  startTestCorrelator,
  warningsOf,
} from './correlator.testing.ts';
import { CorrelatorState } from './domain/correlator.state.ts';
import { ruleShards } from './domain/rule.shards.ts';

const SHARDS = 2;

/** Reports along the line from Guicheng's centre to Dali's, `metres` from its midpoint (+: towards Dali). */
function acrossTheLine(): NormalizedEvent[] {
  const town = (code: string) => NANHAI_TOWNS.find((t) => t.code === code)!.center;
  const [a, b] = [town('guicheng'), town('dali')];
  const kmPerDegLat = 111.2;
  const kmPerDegLon = 111.2 * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180);
  const lengthM = 1000 * Math.hypot((b.lon - a.lon) * kmPerDegLon, (b.lat - a.lat) * kmPerDegLat);
  const point = (metres: number) => {
    const f = 0.5 + metres / lengthM;
    return { lon: a.lon + f * (b.lon - a.lon), lat: a.lat + f * (b.lat - a.lat) };
  };
  const start = Date.parse('2026-06-12T14:10:00+08:00');
  return (
    [
      ['urban.tree_fallen', -450],
      ['police.fight', -350],
      ['urban.road_damage', 450],
      ['police.disturbance', 1350],
      ['urban.tree_fallen', 2250],
      ['police.fight', 3150],
    ] as const
  ).map(([type, metres], i) =>
    buildEvent({
      type,
      sourceId: `ACROSS-${i}`,
      at: start + i * 3 * 60_000,
      severity: 'Moderate',
      ...point(metres - 450),
    }),
  );
}

describe(`correlators in one group, ${SHARDS} shards, rebalanced while a stream plays`, () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  const running: Correlator[] = [];
  const start = async () => {
    const correlator = await startTestCorrelator(kafka, db, {
      CORRELATOR_SHARDS: String(SHARDS),
      // Snapshots lag the input: each new owner of a shard replays a stretch already produced.
      CORRELATOR_SNAPSHOT_MS: '1000',
    });
    running.push(correlator);
    return correlator;
  };

  beforeAll(async () => {
    [kafka, db] = await Promise.all([testKafka(), testDatabase()]);
  });
  afterAll(async () => {
    await Promise.allSettled(running.map((c) => c.close()));
    await kafka?.close();
    await db?.close();
  });

  it('raises exactly the warnings and revisions of one engine with every rule, each once', async () => {
    const across = acrossTheLine();
    const scenarios = [
      'rainstorm',
      'food-poisoning',
      'crowd-gathering',
      'hazmat-river',
      'feed-outage',
    ].flatMap(scenarioEvents);
    const events = [...scenarios, ...across];
    const first = await start();
    const third = Math.floor(scenarios.length / 3);
    let phase: 'one' | 'two' | 'replaced' = 'one';
    await playEvents(kafka.kafka, (name) => kafka.topic(name), scenarios, {
      chunk: 80,
      pauseMs: 150,
      onChunk: async (done) => {
        if (phase === 'one' && done >= third) {
          phase = 'two';
          await start();
        } else if (phase === 'two' && done >= 2 * third) {
          phase = 'replaced';
          await first.close();
          running.splice(running.indexOf(first), 1);
          await start();
        }
      },
    });
    // One report at a time, as they happen: a chain grows in arrival order (a link that arrives
    // after the reports it would join does not join them afterwards, in one engine as in shards).
    await playEvents(kafka.kafka, (name) => kafka.topic(name), across, { chunk: 1, pauseMs: 300 });
    expect(running).toHaveLength(2);
    const [a, b] = running as [Correlator, Correlator];

    // Both shards taken to the end of their partitions, their snapshots with them.
    const admin = kafka.kafka.admin();
    await admin.connect();
    const ends = await eventually(
      async () => {
        const offsets = await admin.fetchTopicOffsets(kafka.topic(SHARDS_TOPIC));
        const { rows } = await db.pool.query<{ partition: number; next_offset: string }>(
          'SELECT partition, next_offset FROM correlator_checkpoints ORDER BY partition',
        );
        return { offsets, rows };
      },
      ({ offsets, rows }) =>
        offsets.length === SHARDS &&
        offsets.every((o) => Number(o.high) >= events.length) &&
        rows.length === SHARDS &&
        rows.every((r) => r.next_offset === offsets.find((o) => o.partition === r.partition)?.high),
      'both shards to be taken to the end',
      120_000,
    );
    await admin.disconnect();
    // The group divides the shards: each instance runs one.
    const here = await Promise.all(
      [a, b].map(async (c) => (await c.app.inject('/v1/rules')).json<{ shards: { here: number[] } }>()),
    );
    expect(here.map((r) => r.shards.here).sort()).toEqual([[0], [1]]);

    // Every shard took the records of the sequence in its order (the first copy of each; a copy
    // repeated by the fan-out is skipped).
    const sequence = await kafka.readToEnd(kafka.topic(SEQUENCE_TOPIC), 60_000);
    const copies = await kafka.readToEnd(kafka.topic(SHARDS_TOPIC), 60_000);
    const firstCopies = (shard: number) => {
      const seen = new Set<string>();
      return copies
        .filter((m) => m.partition === shard)
        .map((m) => String(m.headers?.[HEADER.log]))
        .filter((log) => !seen.has(log) && seen.add(log));
    };
    for (let shard = 0; shard < SHARDS; shard++)
      expect(firstCopies(shard)).toEqual(sequence.map((m) => m.offset));
    expect(ends.offsets.every((o) => Number(o.high) >= sequence.length)).toBe(true);

    // The reference: one engine with every rule over that order.
    const rules = await loadRuleSet();
    const reference = CorrelatorState.fresh(rules, { allowedLatenessMinutes: 60 });
    const expected: Warning[] = [];
    for (const message of sequence) {
      const input = decodeSequenced(message);
      if ('invalid' in input) throw new Error(input.invalid);
      expected.push(...reference.step(input).warnings);
    }
    const produced = warningsOf(await kafka.readToEnd(kafka.topic(TOPICS.warnings), 60_000));
    const key = (w: Warning) => `${w.id}#${w.revision}`;
    expect(new Set(produced.map(key)).size, 'a warning revision produced twice').toBe(produced.length);
    expect(new Map(produced.map((w) => [key(w), w]))).toEqual(new Map(expected.map((w) => [key(w), w])));

    // Both shards raised warnings; the non-spatial rules (silence, district-wide surges) among them.
    const shardOf = ruleShards(rules.rules, SHARDS);
    const familyOf = new Map(rules.rules.map((r) => [r.id, r.family]));
    expect(new Set(produced.map((w) => shardOf.get(w.ruleId)))).toEqual(new Set([0, 1]));
    const families = new Set(produced.map((w) => familyOf.get(w.ruleId)));
    for (const family of ['threshold', 'cooccurrence', 'surge', 'sequence', 'silence'])
      expect(families, `a ${family} warning`).toContain(family);
    // The chain across the line: one warning with all six reports.
    const ids = new Set(across.map((e) => e.id));
    const chain = produced.filter((w) => w.evidence.some((id) => ids.has(id)));
    expect(new Set(chain.map((w) => w.id)).size).toBe(1);
    expect(new Set(chain.at(-1)?.evidence)).toEqual(ids);
    console.info(
      `scale-out test: ${events.length} events, ${produced.length} warning revisions of ${new Set(produced.map((w) => w.id)).size} warnings, shards ${JSON.stringify(Object.fromEntries([0, 1].map((s) => [s, produced.filter((w) => shardOf.get(w.ruleId) === s).length])))}`,
    );
  }, 600_000);
});
