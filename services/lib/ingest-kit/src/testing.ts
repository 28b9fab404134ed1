/** Test harness: one ingest app on the run's real broker and database, with this test's own topics and schema. */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventsTopic, type DepartmentCode, type NormalizedEvent } from '@liandong/contracts';
import { appendAudit, pingDatabase } from '@liandong/db';
import { createKafka, createKafkaProbe, type JsonProducer } from '@liandong/kafka';
import { createEventProducer } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { createKeyRepository, type KeyRepository } from '@liandong/keys';
import { createRecordRepository } from './adapters/record.repository.ts';
import type { IngestApp } from './app.ts';
import { buildIngestService, type IngestServiceDeps } from './ingest.build.ts';
import type { IngestDefinition } from './definition.ts';
import { createCursorRepository } from './adapters/cursor.repository.ts';
import type { PullConnector } from './connectors/connector.ts';
import type { ConnectorRunner } from './connectors/connector.runner.ts';

export interface IngestHarness {
  app: IngestApp;
  department: DepartmentCode;
  kafka: TestKafka;
  db: TestDatabase;
  keys: KeyRepository;
  producer: JsonProducer;
  connectors: ConnectorRunner;
  /** A valid key of the service's department. */
  key: string;
  close(): Promise<void>;
}

export async function createIngestHarness(
  definition: IngestDefinition,
  overrides: Partial<Omit<IngestServiceDeps, 'connectors'>> & {
    kafka?: TestKafka;
    db?: TestDatabase;
    /** Pull connectors to run beside the push endpoint, sharing its pipeline. */
    pull?: PullConnector[];
    backoff?: { baseMs: number; maxMs: number };
  } = {},
): Promise<IngestHarness> {
  const kafka = overrides.kafka ?? (await testKafka());
  const db = overrides.db ?? (await testDatabase());
  const logger = testLogger(`ingest-${definition.department}`);
  const client = createKafka({ brokers: kafka.brokers, clientId: 'ingest-test', logger });
  const producer = createEventProducer(client, {
    logger,
    ...(overrides.maxMessageBytes !== undefined ? { maxMessageBytes: overrides.maxMessageBytes } : {}),
  });
  await producer.connect();
  const probe = createKafkaProbe(client);
  const keys = createKeyRepository(db.pool, { ttlMs: 0 });
  const { key } = await keys.create(definition.department, 'test');
  const service = await buildIngestService({
    definition,
    topicPrefix: kafka.prefix,
    producer: overrides.producer ?? producer,
    records: createRecordRepository(db.pool),
    keys,
    audit: (entry) => appendAudit(db.pool, entry),
    logger,
    checks: [
      { name: 'kafka', check: () => probe.check() },
      { name: 'database', check: () => pingDatabase(db.pool) },
    ],
    rateLimitPerMinute: 10_000,
    connectors: overrides.pull ?? [],
    cursors: createCursorRepository(db.pool),
    ...(overrides.backoff ? { backoff: overrides.backoff } : {}),
    ...overrides,
  });
  const { app, connectors: runner } = service;
  await app.ready();
  return {
    app,
    department: definition.department,
    kafka,
    db,
    keys,
    producer,
    key,
    connectors: runner,
    async close() {
      await service.close();
      await Promise.allSettled([producer.disconnect(), probe.close()]);
      if (!overrides.kafka) await kafka.close();
      if (!overrides.db) await db.close();
    },
  };
}

/** The public sample messages kept byte for byte in services/lib/ingest-kit/fixtures. */
export function readFixture(path: string): string {
  return readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
}

export function fixtureNames(folder: string): string[] {
  return readdirSync(new URL(`../fixtures/${folder}/`, import.meta.url)).sort();
}

/** POST /v1/events with the harness's key. */
export function push(
  h: IngestHarness,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
) {
  return h.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': contentType, authorization: `Bearer ${h.key}`, ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The normalized events on the harness's events topic, read from the beginning. */
export async function readEvents(h: IngestHarness, count: number): Promise<NormalizedEvent[]> {
  const messages = await h.kafka.readMessages(h.kafka.topic(eventsTopic(h.department)), count);
  return messages.map((m) => JSON.parse(m.value?.toString() ?? '{}') as NormalizedEvent);
}

/**
 * Pushes every CAP 1.2 fixture to the harness's service: each accepted as one event of that
 * department, with its status and message type kept and Update/Cancel references resolved to
 * event ids of the same department. Returns the events.
 */
export async function pushCapFixtures(h: IngestHarness): Promise<NormalizedEvent[]> {
  const names = fixtureNames('cap');
  for (const name of names) {
    const response = await push(
      h,
      readFixture(`cap/${name}`),
      name.includes('amber') ? 'application/xml' : 'application/cap+xml',
    );
    if (response.statusCode !== 202) throw new Error(`${name}: ${response.statusCode} ${response.body}`);
    const body = response.json<{ accepted: number }>();
    if (body.accepted !== 1) throw new Error(`${name}: ${response.body}`);
  }
  const events = await readEvents(h, names.length);
  for (const event of events) {
    if (event.department !== h.department) throw new Error(`event of ${event.department} on ${h.department}`);
    if (event.source.format !== 'cap-1.2') throw new Error(`format ${event.source.format}`);
  }
  return events;
}

/** Registers beforeAll/afterAll for a harness of `definition`; the getter gives it inside tests. */
export function useIngestHarness(definition: IngestDefinition): () => IngestHarness {
  let harness: IngestHarness | undefined;
  beforeAll(async () => {
    harness = await createIngestHarness(definition);
  });
  afterAll(async () => {
    await harness?.close();
  });
  return () => {
    if (!harness) throw new Error('the harness is not ready');
    return harness;
  };
}

/** Registers the test every service passes: each CAP 1.2 fixture accepted as one event of its department. */
export function itAcceptsEveryCapFixture(definition: IngestDefinition): void {
  it('accepts every CAP 1.2 fixture as one event of its department', async () => {
    const h = await createIngestHarness(definition);
    try {
      const events = await pushCapFixtures(h);
      expect(events.map((e) => e.msgType).sort()).toEqual([
        'Alert',
        'Alert',
        'Alert',
        'Cancel',
        'Update',
        'Update',
        'Update',
      ]);
    } finally {
      await h.close();
    }
  });
}
