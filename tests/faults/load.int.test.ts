/**
 * Load: the whole system at 1,000 records a second for FAULTS_LOAD_MINUTES (5 in CI; the full hour
 * is `pnpm bench:load`), each service its own process on the run's broker and database, water
 * readings beside it timed to their warning's Socket.IO push (tests/bench/load.run.ts).
 *
 * When the load has stopped and drained: nothing answered 202 is missing from the hub's store,
 * nothing is on the topic or in the store twice, every accepted probe's warning was pushed, the
 * correlator and the hub's store were not falling behind at the last sample, and no service's
 * resident memory at the end is more than twice what it was after the first minute.
 *
 * It runs in its own vitest project (`load`, group order 1): after the unit and integration tests,
 * alone, so that its 1,000 records a second neither slow the other tests nor are slowed by them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { fmt } from '../bench/support.ts';
import { loadReport, runLoad, type LoadResult } from '../bench/load.run.ts';
import { reportScenario } from './report.ts';

const MINUTES = Number(process.env['FAULTS_LOAD_MINUTES'] ?? 5);
const RATE = Number(process.env['FAULTS_LOAD_RATE'] ?? 1000);

describe(`${MINUTES} min at ${RATE} records/s through ingest → correlator → hub → socket`, () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  let result: LoadResult;

  beforeAll(async () => {
    kafka = await testKafka();
    db = await testDatabase();
  });
  afterAll(async () => {
    await kafka?.close();
    await db?.close();
  });

  it(
    'loses nothing, doubles nothing, pushes every probe and does not fall behind',
    async () => {
      result = await runLoad(
        {
          brokers: kafka.brokers.join(','),
          databaseUrl: db.appUrl,
          schema: db.schema,
          prefix: kafka.prefix,
          pool: db.pool,
          kafka: kafka.kafka,
        },
        { minutes: MINUTES, rate: RATE, log: (line) => console.log(`[load] ${line}`) },
      );
      console.log(loadReport(result));
      const first = result.samples[1] ?? result.samples[0];
      const last = result.samples[result.samples.length - 1];
      reportScenario({
        scenario: `load: ${MINUTES} min at ${fmt(RATE)}/s, ingest → correlator → hub → socket`,
        sent: result.sent,
        accepted: result.accepted,
        lost: result.lost,
        doubled: result.doubled,
        errors: result.refused,
        note: `probes p50 ${fmt(result.probes.p50)} ms, p99 ${fmt(result.probes.p99)} ms (${result.probes.n} of ${result.probesSent}); RSS MB ${
          first && last
            ? Object.keys(last.rssMb)
                .map((k) => `${k} ${fmt(first.rssMb[k as 'hub'])}→${fmt(last.rssMb[k as 'hub'])}`)
                .join(', ')
            : 'n/a'
        }; drained in ${fmt(result.drainSeconds, 1)} s`,
      });

      expect(result.lost, 'records answered 202 but not in the hub store').toBe(0);
      expect(result.doubled, 'records on the topic or in the store more than once').toBe(0);
      expect(result.accepted, 'records accepted').toBeGreaterThanOrEqual(0.9 * result.sent);
      expect(result.probesSent, 'probes accepted').toBeGreaterThan(0);
      expect(result.probes.n, 'probes whose warning was pushed').toBe(result.probesSent);
      expect(result.socketDisconnects, 'the operator socket disconnected').toEqual([]);
      expect(first && last, 'samples taken').toBeTruthy();
      if (!first || !last) return;
      // Half a minute of load behind at the last sample is falling behind, not a passing batch.
      expect(last.correlatorLag, 'correlator lag at the last sample').toBeLessThan(30 * RATE);
      expect(last.hubBehind, 'hub store behind at the last sample').toBeLessThan(30 * RATE);
      for (const [name, mb] of Object.entries(last.rssMb)) {
        expect(
          mb,
          `${name} RSS at the end (MB), against ${fmt(first.rssMb[name as 'hub'])} after the first minute`,
        ).toBeLessThan(2 * first.rssMb[name as 'hub']);
      }
    },
    MINUTES * 60_000 + 5 * 60_000,
  );
});
