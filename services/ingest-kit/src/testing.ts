/** Test harness: one ingest app on the run's real broker and database, with this test's own topics and schema. */
import { appendAudit, pingDatabase } from '@liandong/db';
import { createJsonProducer, createKafka, createKafkaProbe, type JsonProducer } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { createKeyRepository, type KeyRepository } from './adapters/key.repository.ts';
import { createRecordRepository } from './adapters/record.repository.ts';
import { buildIngestApp, type IngestApp, type IngestAppDeps } from './app.ts';
import type { IngestDefinition } from './definition.ts';
import { createIngestMetrics } from './metrics.ts';

export interface IngestHarness {
  app: IngestApp;
  kafka: TestKafka;
  db: TestDatabase;
  keys: KeyRepository;
  producer: JsonProducer;
  /** A valid key of the service's department. */
  key: string;
  close(): Promise<void>;
}

export async function createIngestHarness(
  definition: IngestDefinition,
  overrides: Partial<IngestAppDeps> & { kafka?: TestKafka; db?: TestDatabase } = {},
): Promise<IngestHarness> {
  const kafka = overrides.kafka ?? (await testKafka());
  const db = overrides.db ?? (await testDatabase());
  const logger = testLogger(`ingest-${definition.department}`);
  const client = createKafka({ brokers: kafka.brokers, clientId: 'ingest-test', logger });
  const producer = createJsonProducer(client);
  await producer.connect();
  const probe = createKafkaProbe(client);
  const keys = createKeyRepository(db.pool, { ttlMs: 0 });
  const { key } = await keys.create(definition.department, 'test');
  const app = await buildIngestApp({
    definition,
    department: definition.department,
    service: `ingest-${definition.department}`,
    topicPrefix: kafka.prefix,
    producer,
    records: createRecordRepository(db.pool),
    keys,
    audit: (entry) => appendAudit(db.pool, entry),
    metrics: createIngestMetrics(definition.department),
    logger,
    now: () => new Date(),
    sourceSystem: definition.sourceSystem,
    defaultCrs: 'WGS84',
    rateLimitPerMinute: 10_000,
    checks: [
      { name: 'kafka', check: () => probe.check() },
      { name: 'database', check: () => pingDatabase(db.pool) },
    ],
    ...overrides,
  });
  await app.ready();
  return {
    app,
    kafka,
    db,
    keys,
    producer,
    key,
    async close() {
      await app.close();
      await Promise.allSettled([producer.disconnect(), probe.close()]);
      if (!overrides.kafka) await kafka.close();
      if (!overrides.db) await db.close();
    },
  };
}
