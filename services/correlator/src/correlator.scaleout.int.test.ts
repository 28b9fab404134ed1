/**
 * Scale-out against the real broker: correlators of one consumer group divide the sequence topic's
 * partitions — the shards of the rules — between them, and together raise exactly the warnings and
 * revisions one engine with every rule raises over the same input, each once. The stream holds
 * five recorded scenarios (flood, food poisoning, crowd gathering, hazardous goods on a river,
 * feed outage: every family, silences and district-wide surges among them) and a chain of reports
 * across the line between Guicheng and Dali, each within 1 km of the next but 3.6 km end to end —
 * the chained cluster that division by area cannot raise exactly. Three rebalances while it plays:
 * a second correlator joins, the first leaves, a third joins. Then two correlator processes, one
 * of them SIGKILLed at random moments and started again while a stream plays: the group hands its
 * shards (and the fan-out) to the other after the session timeout, and the end is the same.
 */
import type { ChildProcess } from 'node:child_process';
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
  exited,
  playEvents,
  scenarioEvents,
  spawnCorrelator,
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

/** Waits until every shard is taken to the end of its partition, its snapshot with it. */
async function caughtUp(kafka: TestKafka, db: TestDatabase, events: number): Promise<void> {
  const admin = kafka.kafka.admin();
  await admin.connect();
  try {
    await eventually(
      async () => {
        const offsets = await admin.fetchTopicOffsets(kafka.topic(SHARDS_TOPIC));
        const { rows } = await db.pool.query<{ partition: number; next_offset: string }>(
          'SELECT partition, next_offset FROM correlator_checkpoints ORDER BY partition',
        );
        return { offsets, rows };
      },
      ({ offsets, rows }) =>
        offsets.length === SHARDS &&
        offsets.every((o) => Number(o.high) >= events) &&
        rows.length === SHARDS &&
        rows.every((r) => r.next_offset === offsets.find((o) => o.partition === r.partition)?.high),
      'every shard to be taken to the end',
      180_000,
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every shard took the records of the sequence in its order (the first copy of each: a copy the
 * fan-out repeated is skipped), and warnings.v1, read to its end offsets, holds exactly the
 * revisions one engine with every rule gives over the sequence, each once.
 */
async function expectOneEngine(kafka: TestKafka) {
  const sequence = await kafka.readToEnd(kafka.topic(SEQUENCE_TOPIC), 60_000);
  const copies = await kafka.readToEnd(kafka.topic(SHARDS_TOPIC), 60_000);
  for (let shard = 0; shard < SHARDS; shard++) {
    const seen = new Set<string>();
    const first = copies
      .filter((m) => m.partition === shard)
      .map((m) => String(m.headers?.[HEADER.log]))
      .filter((log) => !seen.has(log) && seen.add(log));
    expect(first, `shard ${shard}: the sequence's records in its order`).toEqual(
      sequence.map((m) => m.offset),
    );
  }
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
  expect(expected.length).toBeGreaterThan(5);
  return { produced, rules, copies: copies.length, sequence: sequence.length };
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

    await caughtUp(kafka, db, events.length);
    // The group divides the shards: each instance runs one.
    const here = await Promise.all(
      [a, b].map(async (c) => (await c.app.inject('/v1/rules')).json<{ shards: { here: number[] } }>()),
    );
    expect(here.map((r) => r.shards.here).sort()).toEqual([[0], [1]]);

    const { produced, rules } = await expectOneEngine(kafka);

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

describe(`correlator processes in one group, ${SHARDS} shards, one SIGKILLed while a stream plays`, () => {
  const KILLS = 4;
  let kafka: TestKafka;
  let db: TestDatabase;
  const children: ChildProcess[] = [];
  const spawnOne = () => {
    const child = spawnCorrelator(kafka, db, {
      CORRELATOR_SHARDS: String(SHARDS),
      CORRELATOR_SNAPSHOT_MS: '1500',
      // A dead correlator's partitions go to the other after 6 s (the broker's least).
      CORRELATOR_SESSION_TIMEOUT_MS: '6000',
    });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    [kafka, db] = await Promise.all([testKafka(), testDatabase()]);
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await kafka?.close();
    await db?.close();
  });

  it('ends with exactly the warnings and revisions of one engine with every rule, each once', async () => {
    const events = ['rainstorm', 'hazmat-river'].flatMap(scenarioEvents);
    const pair = [spawnOne(), spawnOne()];
    let playing = true;
    const play = playEvents(kafka.kafka, (name) => kafka.topic(name), events, {
      chunk: 20,
      pauseMs: 300,
    }).finally(() => {
      playing = false;
    });
    let kills = 0;
    while (kills < KILLS && playing) {
      await new Promise((r) => setTimeout(r, 4000 + Math.random() * 6000));
      const victim = Math.floor(Math.random() * pair.length);
      const child = pair[victim] as ChildProcess;
      child.kill('SIGKILL');
      await exited(child);
      kills++;
      pair[victim] = spawnOne();
    }
    await play;
    await caughtUp(kafka, db, events.length);
    for (const child of pair) child.kill('SIGTERM');
    await Promise.all(pair.map(exited));
    const { produced, copies, sequence } = await expectOneEngine(kafka);
    expect(kills).toBeGreaterThanOrEqual(2);
    console.info(
      `scale-out kill test: ${kills} kills, ${sequence} sequence records, ${copies} shard copies (${SHARDS} shards), ${produced.length} warning revisions`,
    );
  }, 600_000);
});
