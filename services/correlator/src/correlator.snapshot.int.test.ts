/**
 * Snapshots beside the batches, against the real broker and PostgreSQL: while a snapshot cannot be
 * written (its row held by another transaction), the engine goes on taking events and producing
 * their warnings; once the row is free, the snapshot that covers them follows.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type NormalizedEvent } from '@liandong/contracts';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import type { Correlator } from './correlator.ts';
import {
  eventually,
  playEvents,
  scenarioEvents,
  startTestCorrelator,
  warningsOf,
} from './correlator.testing.ts';

/** A reading of a river gauge of its own (place `gauge`), `value` m against a warning level of 4.2 m. */
function reading(gauge: string, value: number): NormalizedEvent {
  const template = scenarioEvents('rainstorm').find((e) => e.type === 'water.river_level');
  if (!template) throw new Error('the rainstorm scenario has no river reading');
  const at = new Date().toISOString();
  return {
    ...template,
    id: randomUUID(),
    source: { ...template.source, id: `${gauge}-${at}` },
    occurredAt: at,
    receivedAt: at,
    place: { id: gauge, name: gauge, kind: 'station' },
    measurements: [{ name: 'water_level', value, unit: 'm', thresholds: { warning: 4.2, guaranteed: 5 } }],
  };
}

describe('correlator: a snapshot being written does not hold up the warnings', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  let correlator: Correlator;

  beforeAll(async () => {
    [kafka, db] = await Promise.all([testKafka(), testDatabase()]);
    // A snapshot after every batch.
    correlator = await startTestCorrelator(kafka, db, { CORRELATOR_SNAPSHOT_MS: '0' });
  });
  afterAll(async () => {
    await correlator?.close();
    await kafka?.close();
    await db?.close();
  });

  const play = (event: NormalizedEvent) => playEvents(kafka.kafka, (name) => kafka.topic(name), [event]);
  const checkpointOffset = async () =>
    Number(
      (
        (await db.pool.query('SELECT next_offset FROM correlator_checkpoints')).rows[0] as
          { next_offset: string } | undefined
      )?.next_offset ?? -1,
    );
  const warningFor = (event: NormalizedEvent) =>
    kafka.readMessages(kafka.topic(TOPICS.warnings), Number.MAX_SAFE_INTEGER, 20_000, (m) =>
      warningsOf([m]).some((w) => w.evidence.includes(event.id)),
    );

  it('given the snapshot row locked by another transaction, when readings over the warning level arrive and a snapshot is asked for, then their warnings are produced; when the row is free, the snapshot covers them', async () => {
    await play(reading('TEST-GAUGE-0', 1.0));
    // The sequence starts with the rules record the correlator wrote when it started, then the reading.
    const covered = await eventually(checkpointOffset, (offset) => offset >= 2, 'the first snapshot');

    let asked: Promise<void> | undefined;
    const blocker = await db.adminPool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM correlator_checkpoints FOR UPDATE');
      // The first batch's snapshot now waits for the row; the batches after it must not.
      const first = reading('TEST-GAUGE-1', 4.5);
      await play(first);
      await warningFor(first);
      // A snapshot asked for now — the idle timer's, or shutdown's — waits for the row as well:
      // beside the batches, not in front of them.
      const engine = correlator.engine();
      if (!engine) throw new Error('the engine stage has not started');
      asked = engine.checkpoint();
      const second = reading('TEST-GAUGE-2', 4.6);
      await play(second);
      // Written in the batch's transaction, the snapshot held up this warning until the row was free.
      await warningFor(second);
      expect(await checkpointOffset()).toBe(covered);
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    await asked;
    await eventually(
      checkpointOffset,
      (offset) => offset >= covered + 2,
      'the snapshot covering both readings',
    );
  });
});
