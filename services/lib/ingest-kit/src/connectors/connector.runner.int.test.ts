import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonProducer, createKafka, type JsonProducer } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { createCursorRepository } from '../adapters/cursor.repository.ts';
import { createRecordRepository } from '../adapters/record.repository.ts';
import { createIngestPipeline } from '../ingest.service.ts';
import { createIngestMetrics } from '../metrics.ts';
import type { PullConnector } from './connector.ts';
import { startConnectors } from './connector.runner.ts';

describe('connector runner against the real PostgreSQL', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  let producer: JsonProducer;

  beforeAll(async () => {
    kafka = await testKafka();
    db = await testDatabase();
    producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 'runner-test', logger: testLogger() }),
    );
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await kafka?.close();
    await db?.close();
  });

  it('given a page that asks for more but does not move the cursor, then it waits for the interval instead of spinning', async () => {
    let polls = 0;
    const stuck: PullConnector = {
      id: 'water:stuck',
      kind: 'sensorthings',
      source: 'http://127.0.0.1:1/v1.1/Observations',
      intervalMs: 500,
      async fetchPage(cursor) {
        polls += 1;
        return {
          outcomes: [],
          contentType: 'application/json',
          format: 'sensorthings',
          cursor: cursor ?? { since: 'x' },
          more: true,
        };
      },
    };
    const common = {
      department: 'water' as const,
      metrics: createIngestMetrics('water'),
      logger: testLogger(),
      now: () => new Date(),
    };
    const runner = startConnectors([stuck], {
      ...common,
      pipeline: createIngestPipeline({
        ...common,
        service: 'ingest-water',
        topicPrefix: kafka.prefix,
        producer,
        records: createRecordRepository(db.pool),
      }),
      cursors: createCursorRepository(db.pool),
      sourceSystem: 'water-test',
      defaultCrs: 'WGS84',
    });
    await new Promise((r) => setTimeout(r, 2000));
    await runner.stop();
    // The first poll has no cursor yet, so its page moves it; after that, one poll per interval.
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(8);
  });
});
