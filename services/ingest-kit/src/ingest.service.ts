import { randomUUID } from 'node:crypto';
import {
  eventsTopic,
  namespacedTopic,
  TOPICS,
  type DeadLetter,
  type DepartmentCode,
  type IngestRecordResult,
  type IngestResponse,
} from '@liandong/contracts';
import type { JsonProducer, OutgoingMessage } from '@liandong/kafka';
import type { Logger } from '@liandong/logger';
import type { RecordRepository } from './adapters/record.repository.ts';
import { toFieldErrors, type RecordOutcome } from './domain/outcome.ts';
import type { IngestMetrics } from './metrics.ts';

const MAX_DEAD_LETTER_PAYLOAD = 1024 * 1024;

export interface IngestDeps {
  department: DepartmentCode;
  service: string;
  topicPrefix: string;
  producer: JsonProducer;
  records: RecordRepository;
  metrics: IngestMetrics;
  logger: Logger;
  now: () => Date;
}

function deadLetterFor(
  deps: IngestDeps,
  outcome: Extract<RecordOutcome, { ok: false }>,
  contentType: string,
): OutgoingMessage {
  const record: DeadLetter = {
    id: randomUUID(),
    stage: 'ingest',
    service: deps.service,
    department: deps.department,
    ...(outcome.sourceId !== undefined ? { sourceId: outcome.sourceId } : {}),
    at: deps.now().toISOString(),
    reason: {
      code: outcome.issues[0]?.code ?? 'validation_failed',
      message: outcome.issues.map((i) => `${i.pointer || '/'}: ${i.message}`).join('; '),
      errors: toFieldErrors(outcome),
    },
    contentType,
    payload: outcome.raw.slice(0, MAX_DEAD_LETTER_PAYLOAD),
    truncated: outcome.raw.length > MAX_DEAD_LETTER_PAYLOAD,
  };
  return { key: outcome.sourceId ?? record.id, value: record };
}

/**
 * Takes the normalized records of one request to Kafka: refused records to the dead-letter
 * topic, new events to the department's topic, repeats reported as duplicates. Resolves only
 * after Kafka acknowledged everything it wrote; throws (nothing claimed) when it could not.
 */
export async function ingestRecords(
  deps: IngestDeps,
  outcomes: RecordOutcome[],
  contentType: string,
  format: string,
): Promise<IngestResponse> {
  const topic = namespacedTopic(eventsTopic(deps.department), deps.topicPrefix);
  const dlqTopic = namespacedTopic(TOPICS.deadLetters, deps.topicPrefix);
  const results = new Array<IngestRecordResult>(outcomes.length);
  const deadLetters: OutgoingMessage[] = [];
  const candidates: Extract<RecordOutcome, { ok: true }>[] = [];
  const firstInRequest = new Map<string, Extract<RecordOutcome, { ok: true }>>();

  for (const outcome of outcomes) {
    if (!outcome.ok) {
      deadLetters.push(deadLetterFor(deps, outcome, contentType));
      results[outcome.index] = {
        index: outcome.index,
        ...(outcome.sourceId !== undefined ? { sourceId: outcome.sourceId } : {}),
        status: 'rejected',
        errors: toFieldErrors(outcome),
      };
      for (const issue of outcome.issues) deps.metrics.refused.inc({ reason: issue.code });
      continue;
    }
    const earlier = firstInRequest.get(outcome.event.source.id);
    if (earlier) {
      results[outcome.index] = {
        index: outcome.index,
        sourceId: outcome.event.source.id,
        status: 'duplicate',
        eventId: outcome.event.id,
        topic,
        sameContent: earlier.raw === outcome.raw,
      };
      continue;
    }
    firstInRequest.set(outcome.event.source.id, outcome);
    candidates.push(outcome);
  }

  const publish = async (events: OutgoingMessage[]) => {
    const batches = [];
    if (events.length > 0) batches.push({ topic, messages: events });
    if (deadLetters.length > 0) batches.push({ topic: dlqTopic, messages: deadLetters });
    if (batches.length === 0) return;
    const stop = deps.metrics.produceSeconds.startTimer();
    await deps.producer.send(batches);
    stop();
  };

  if (candidates.length === 0) {
    await publish([]);
  } else {
    const byId = new Map(candidates.map((c) => [c.event.source.id, c]));
    const claims = await deps.records.claimThenPublish(
      deps.department,
      candidates.map((c) => ({ sourceId: c.event.source.id, eventId: c.event.id, raw: c.raw, topic })),
      async (claimed) =>
        publish(
          claimed.map((c) => {
            const event = (byId.get(c.sourceId) as Extract<RecordOutcome, { ok: true }>).event;
            return {
              key: event.id,
              value: event,
              timestamp: Date.parse(event.occurredAt),
              headers: { 'content-type': 'application/json', 'liandong-schema': 'NormalizedEvent/1' },
            };
          }),
        ),
    );
    for (const claim of claims) {
      const outcome = byId.get(claim.sourceId) as Extract<RecordOutcome, { ok: true }>;
      results[outcome.index] = {
        index: outcome.index,
        sourceId: claim.sourceId,
        status: claim.claimed ? 'accepted' : 'duplicate',
        eventId: outcome.event.id,
        topic,
        ...(claim.claimed ? {} : { sameContent: claim.sameContent }),
      };
    }
  }

  const response: IngestResponse = { accepted: 0, duplicates: 0, rejected: 0, results };
  for (const result of results) {
    if (result.status === 'accepted') response.accepted += 1;
    else if (result.status === 'duplicate') response.duplicates += 1;
    else response.rejected += 1;
    deps.metrics.records.inc({ outcome: result.status, format });
  }
  return response;
}
