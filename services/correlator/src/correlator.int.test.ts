import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type NormalizedEvent } from '@liandong/contracts';
import { decodeSequenced } from './adapters/engine.runner.ts';
import { createEngine, loadRuleSet } from '@liandong/correlation-engine';
import { replay } from '@liandong/correlation-engine/testing';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { SEQUENCE_TOPIC } from './adapters/sequence.topic.ts';
import type { Correlator } from './correlator.ts';
import {
  eventually,
  playEvents,
  scenarioEvents,
  startTestCorrelator,
  warningsOf,
} from './correlator.testing.ts';

describe('correlator: events topics in, warnings.v1 out', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  let correlator: Correlator;

  beforeAll(async () => {
    [kafka, db] = await Promise.all([testKafka(), testDatabase()]);
    correlator = await startTestCorrelator(kafka, db);
  });
  afterAll(async () => {
    await correlator?.close();
    await kafka?.close();
    await db?.close();
  });

  it('answers /healthz, /readyz, /docs and lists the running rules at /v1/rules', async () => {
    expect((await correlator.app.inject('/healthz')).statusCode).toBe(200);
    const ready = await correlator.app.inject('/readyz');
    expect(ready.json()).toMatchObject({ status: 'ready' });
    expect((await correlator.app.inject('/docs/json')).statusCode).toBe(200);
    const rules = (await correlator.app.inject('/v1/rules')).json<{
      rules: { id: string; version: number }[];
    }>();
    expect(rules.rules.map((r) => r.id)).toContain('generic-cooccurrence');
  });

  it('given the rainstorm scenario played onto the events topics, then its warnings on warnings.v1, each revision once, as the engine gives them for the same order', async () => {
    const events = scenarioEvents('rainstorm');
    // Paced like a live feed: the router copies partition by partition, and a burst of hours of
    // event time would reach the engine out of order (late events, silences).
    await playEvents(kafka.kafka, (name) => kafka.topic(name), events, { chunk: 20, pauseMs: 200 });
    await eventually(
      () => correlator.engine()?.state()?.engine.stats().events ?? 0,
      (n) => n >= events.length,
      `the engine to take ${events.length} events`,
    );
    // Wait for the last batch's produce and record (the engine took it; its warnings follow).
    await eventually(
      async () =>
        (await db.pool.query('SELECT count(*)::int AS n FROM correlator_checkpoints')).rows[0] as {
          n: number;
        },
      (r) => r.n > 0,
      'a checkpoint',
    );
    await new Promise((r) => setTimeout(r, 500));
    const produced = warningsOf(await kafka.readToEnd(kafka.topic(TOPICS.warnings)));
    // The reference: the pure engine over the order the correlator took (the events of its
    // sequence topic; the one rules record, written when it started, holds the same rules).
    const sequence = (await kafka.readToEnd(kafka.topic(SEQUENCE_TOPIC))).map(decodeSequenced);
    expect(sequence.filter((input) => 'kind' in input && input.kind === 'rules')).toHaveLength(1);
    const reference = replay(
      createEngine(await loadRuleSet(), { allowedLatenessMinutes: 60 }),
      sequence.flatMap((input): NormalizedEvent[] =>
        'kind' in input && input.kind === 'event' ? [input.event] : [],
      ),
    );
    const key = (w: { id: string; revision: number }) => `${w.id}#${w.revision}`;
    expect(new Set(produced.map(key)).size).toBe(produced.length);
    expect(produced.map(key).sort()).toEqual(reference.revisions.map(key).sort());
    const rules = new Set(produced.map((w) => w.ruleId));
    expect([...rules].sort()).toEqual(
      expect.arrayContaining(['heavy-rainfall', 'river-over-level', 'rainstorm-waterlogging']),
    );
    const waterlogging = [...reference.last.values()].find((w) => w.ruleId === 'rainstorm-waterlogging');
    expect(waterlogging?.level).toBe('orange');
  });
});
