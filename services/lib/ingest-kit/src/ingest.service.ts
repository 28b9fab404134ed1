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
import type { ClaimOutcome, RecordRepository } from './adapters/record.repository.ts';
import { createCommitQueue } from './commit-queue.ts';
import { toFieldErrors } from './domain/outcome.ts';
import type { PreparedOutcome, PreparedRecord } from './normalize/body.normalizer.ts';
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
  /** Commits under way at once (group commit); default 2, as the services run (COMMITS_IN_FLIGHT). */
  maxCommitsInFlight?: number;
}

type Accepted = PreparedRecord;
type Refused = Extract<PreparedOutcome, { ok: false }>;

interface PendingRequest {
  candidates: Accepted[];
  deadLetters: OutgoingMessage[];
}

function deadLetterFor(deps: IngestDeps, outcome: Refused, contentType: string): OutgoingMessage {
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

/** Headers of every event message, encoded once (kafkajs copies Buffers as they are). */
export const EVENT_HEADERS: Readonly<Record<string, Buffer>> = Object.freeze({
  'content-type': Buffer.from('application/json'),
  'liandong-schema': Buffer.from('NormalizedEvent/1'),
});

/** The Kafka message of an accepted record: keyed by event id, stamped with the event time. */
export function eventMessage(
  record: Pick<PreparedRecord, 'eventId' | 'value' | 'occurredAtMs' | 'partitionHash'>,
): OutgoingMessage {
  return {
    key: record.eventId,
    value: record.value,
    timestamp: record.occurredAtMs,
    partitionHash: record.partitionHash,
    headers: EVENT_HEADERS,
  };
}

/**
 * Takes the normalized records of requests to Kafka: refused records to the dead-letter topic,
 * new events to the department's topic, repeats reported as duplicates. Requests that arrive
 * together are committed together (one transaction, one produce request). A request resolves
 * only after Kafka acknowledged everything written for it, and fails (nothing claimed) when
 * Kafka could not take the write.
 */
export function createIngestPipeline(deps: IngestDeps) {
  const topic = namespacedTopic(eventsTopic(deps.department), deps.topicPrefix);
  const dlqTopic = namespacedTopic(TOPICS.deadLetters, deps.topicPrefix);

  async function commit(group: PendingRequest[]): Promise<Map<Accepted, ClaimOutcome>[]> {
    const stop = deps.metrics.commitSeconds.startTimer();
    try {
      return await commitGroup(group);
    } finally {
      stop();
      deps.metrics.commitRecords.observe(
        group.reduce((n, r) => n + r.candidates.length + r.deadLetters.length, 0),
      );
    }
  }

  async function commitGroup(group: PendingRequest[]): Promise<Map<Accepted, ClaimOutcome>[]> {
    // Across the requests of one group, the first occurrence of a source id is the candidate.
    const first = new Map<string, Accepted>();
    for (const request of group) {
      for (const candidate of request.candidates) {
        if (!first.has(candidate.sourceId)) first.set(candidate.sourceId, candidate);
      }
    }
    const deadLetters = group.flatMap((r) => r.deadLetters);
    const publish = async (events: OutgoingMessage[]) => {
      const batches = [];
      if (events.length > 0) batches.push({ topic, messages: events });
      if (deadLetters.length > 0) batches.push({ topic: dlqTopic, messages: deadLetters });
      if (batches.length === 0) return;
      const stop = deps.metrics.produceSeconds.startTimer();
      await deps.producer.send(batches);
      stop();
    };
    const outcomes = new Map<string, ClaimOutcome>();
    if (first.size === 0) {
      await publish([]);
    } else {
      const claims = await deps.records.claimThenPublish(
        deps.department,
        // In one order across concurrent groups, so that two claiming the same ids never deadlock.
        [...first.values()]
          .sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0))
          .map((c) => ({ sourceId: c.sourceId, eventId: c.eventId, hash: c.hash, topic })),
        (claimed) => publish(claimed.map((c) => eventMessage(first.get(c.sourceId) as Accepted))),
      );
      for (const claim of claims) outcomes.set(claim.sourceId, claim);
    }
    return group.map((request) => {
      const byCandidate = new Map<Accepted, ClaimOutcome>();
      for (const candidate of request.candidates) {
        const id = candidate.sourceId;
        const owner = first.get(id) as Accepted;
        const claim = outcomes.get(id) as ClaimOutcome;
        byCandidate.set(
          candidate,
          owner === candidate
            ? claim
            : { sourceId: id, claimed: false, sameContent: owner.hash.equals(candidate.hash) },
        );
      }
      return byCandidate;
    });
  }

  const queue = createCommitQueue<PendingRequest, Map<Accepted, ClaimOutcome>>({
    commit,
    weight: (r) => r.candidates.length + r.deadLetters.length,
    maxInFlight: deps.maxCommitsInFlight ?? 2,
    // kafkajs groups a request's messages by partition in quadratic time: keep groups moderate.
    maxGroupWeight: 1000,
  });

  return {
    async ingest(outcomes: PreparedOutcome[], contentType: string, format: string): Promise<IngestResponse> {
      const results = new Array<IngestRecordResult>(outcomes.length);
      const request: PendingRequest = { candidates: [], deadLetters: [] };
      const firstInRequest = new Map<string, Accepted>();

      for (const outcome of outcomes) {
        if (!outcome.ok) {
          request.deadLetters.push(deadLetterFor(deps, outcome, contentType));
          results[outcome.index] = {
            index: outcome.index,
            ...(outcome.sourceId !== undefined ? { sourceId: outcome.sourceId } : {}),
            status: 'rejected',
            errors: toFieldErrors(outcome),
          };
          for (const issue of outcome.issues) deps.metrics.refused.inc({ reason: issue.code });
          continue;
        }
        const earlier = firstInRequest.get(outcome.sourceId);
        if (earlier) {
          results[outcome.index] = {
            index: outcome.index,
            sourceId: outcome.sourceId,
            status: 'duplicate',
            eventId: outcome.eventId,
            topic,
            sameContent: earlier.hash.equals(outcome.hash),
          };
          continue;
        }
        firstInRequest.set(outcome.sourceId, outcome);
        request.candidates.push(outcome);
      }

      const claims = await queue.submit(request);
      for (const candidate of request.candidates) {
        const claim = claims.get(candidate) as ClaimOutcome;
        results[candidate.index] = {
          index: candidate.index,
          sourceId: claim.sourceId,
          status: claim.claimed ? 'accepted' : 'duplicate',
          eventId: candidate.eventId,
          topic,
          ...(claim.claimed ? {} : { sameContent: claim.sameContent }),
        };
      }

      const response: IngestResponse = { accepted: 0, duplicates: 0, rejected: 0, results };
      for (const result of results) {
        if (result.status === 'accepted') response.accepted += 1;
        else if (result.status === 'duplicate') response.duplicates += 1;
        else response.rejected += 1;
      }
      deps.metrics.records.inc({ outcome: 'accepted', format }, response.accepted);
      deps.metrics.records.inc({ outcome: 'duplicate', format }, response.duplicates);
      deps.metrics.records.inc({ outcome: 'rejected', format }, response.rejected);
      return response;
    },
  };
}

export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
