/**
 * In-memory fakes at the adapter seams of an ingest service (producer, ledger, keys, audit), for
 * unit tests of the kit's HTTP contract with app.inject(): no broker, no database. They keep
 * the adapters' promises (a claim stays only when publish succeeded), nothing more.
 */
import type { NormalizedEvent } from '@liandong/contracts';
import type { AuditEntryInput } from '@liandong/db';
import type { JsonProducer, OutgoingMessage, ProduceResult } from '@liandong/kafka';
import type { KeyIdentity } from '@liandong/keys';
import { createLogger } from '@liandong/logger';
import type { Claim, ClaimRound, RecordRepository } from './adapters/record.repository.ts';
import { buildIngestService, type IngestServiceDeps } from './ingest.build.ts';
import type { IngestDefinition } from './definition.ts';
import { rejected } from './domain/outcome.ts';
import type { FirstState } from './domain/content-fields.ts';
import { eventIdFor } from './domain/event-id.ts';
import { normalizeXmlBody } from './formats/xml-body.normalizer.ts';

export interface FakeProducer extends JsonProducer {
  sent: { topic: string; message: OutgoingMessage }[];
  /** The next sends fail with these errors (once each), then succeed again. */
  failNext(...errors: Error[]): void;
}

export function fakeProducer(): FakeProducer {
  const failures: Error[] = [];
  const sent: { topic: string; message: OutgoingMessage }[] = [];
  return {
    sent,
    failNext: (...errors) => failures.push(...errors),
    raw: undefined as never,
    connect: async () => undefined,
    disconnect: async () => undefined,
    async send(batches): Promise<ProduceResult[]> {
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      for (const { topic, messages } of batches)
        for (const message of messages) sent.push({ topic, message });
      return batches.map(({ topic }) => ({ topic, partition: 0, baseOffset: '0' }));
    },
  };
}

export function fakeRecords(): RecordRepository & { claimed: Map<string, FirstState> } {
  /** Published claims, by department/source id. */
  const claimed = new Map<string, FirstState>();
  const pending = new Map<string, { state: FirstState; token: string }>();
  let tokens = 0;
  return {
    claimed,
    leaseMs: Number.POSITIVE_INFINITY,
    begin: () => `t${(tokens += 1)}`,
    end: () => undefined,
    async claim(department, claims: Claim[], token): Promise<ClaimRound> {
      const round: ClaimRound = { claimed: new Set(), firstStates: new Map(), busy: new Set() };
      for (const c of claims) {
        const key = `${department}/${c.sourceId}`;
        const first = claimed.get(key);
        if (first) round.firstStates.set(c.sourceId, first);
        else if (pending.has(key)) round.busy.add(c.sourceId);
        else {
          pending.set(key, { state: { hash: c.hash, fields: c.fields ?? null }, token });
          round.claimed.add(c.sourceId);
        }
      }
      return round;
    },
    async markPublished(department, sourceIds) {
      for (const id of sourceIds) {
        const key = `${department}/${id}`;
        const held = pending.get(key);
        if (!held) continue;
        pending.delete(key);
        claimed.set(key, held.state);
      }
    },
    async release(department, sourceIds, token) {
      for (const id of sourceIds) {
        const key = `${department}/${id}`;
        if (pending.get(key)?.token === token) pending.delete(key);
      }
    },
  };
}

export function fakeKeys(keys: Record<string, KeyIdentity> = {}) {
  const calls: string[] = [];
  return {
    calls,
    async authenticate(key: string): Promise<KeyIdentity | undefined> {
      calls.push(key);
      return keys[key];
    },
  };
}

/**
 * A department definition for the kit's own tests: a JSON record `{ id, text?, at? }` becomes
 * an event of the department; XML is CAP.
 */
export const testDefinition: IngestDefinition = {
  department: 'police',
  sourceSystem: 'kit-test',
  json: {
    normalize(value, index, context) {
      const raw = JSON.stringify(value);
      const record = value as { id?: unknown; text?: unknown; at?: unknown };
      if (typeof record !== 'object' || record === null || typeof record.id !== 'string') {
        return rejected(index, raw, [{ pointer: '/id', code: 'invalid_field', message: 'id: a string' }]);
      }
      const event = {
        id: eventIdFor(context.department, record.id),
        department: context.department,
        source: { system: context.sourceSystem, format: 'json', id: record.id },
        occurredAt: typeof record.at === 'string' ? record.at : context.receivedAt.toISOString(),
        receivedAt: context.receivedAt.toISOString(),
        text: record.text,
        raw: { contentType: 'application/json', body: raw },
      } as unknown as NormalizedEvent;
      return { ok: true, index, event, raw };
    },
  },
  xml: (text, context) => normalizeXmlBody(text, context),
  schemas: {},
};

export const TEST_KEY = 'kit-test-key';

/** An ingest service on fakes; `overrides` replace any dependency. */
export async function buildFakeIngestService(overrides: Partial<IngestServiceDeps> = {}) {
  const producer = fakeProducer();
  const records = fakeRecords();
  const keys = fakeKeys({
    [TEST_KEY]: { keyId: 'k1', department: 'police' },
    other: { keyId: 'k2', department: 'water' },
  });
  const audited: AuditEntryInput[] = [];
  const service = await buildIngestService({
    definition: testDefinition,
    topicPrefix: '',
    producer,
    records,
    keys,
    audit: async (entry) => {
      audited.push(entry);
    },
    logger: createLogger({ service: 'ingest-kit-test', level: 'silent' }),
    rateLimitPerMinute: 10_000,
    checks: [],
    ...overrides,
  });
  return { ...service, producer, records, keys, audited };
}
