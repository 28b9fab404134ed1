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
import { createCommitQueue } from './commit-queue.ts';
import { toFieldErrors, type RecordIssue } from './domain/outcome.ts';
import {
  conflictIssues,
  resendVerdict,
  type FirstState,
  type ResendVerdict,
} from './domain/content-fields.ts';
import type { PreparedOutcome, PreparedRecord } from './normalize/body.normalizer.ts';
import type { IngestMetrics } from './metrics.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, messageBytes } from '@liandong/kafka';
import { AppError, isAppError, toAppError } from '@liandong/errors';

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
  /** The most bytes one Kafka record may take (KAFKA_MAX_MESSAGE_BYTES); larger events are refused per record. */
  maxMessageBytes?: number;
  /** Requests waiting for a commit at most (COMMIT_QUEUE_MAX); more are refused 503 with Retry-After. */
  maxQueuedRequests?: number;
  /** Longest wait of a request for its commit to start (COMMIT_WAIT_TIMEOUT_MS). */
  commitTimeoutMs?: number;
  /**
   * Longest a commit waits for a source id another request is producing (CLAIM_WAIT_MS) before
   * answering 503 with Retry-After.
   */
  claimWaitMs?: number;
  /**
   * Fault injection (FAULT_KILL_AFTER_PRODUCE), off unless a fault test turns it on: called once
   * Kafka acknowledged a commit, before its claims are marked published — where a crash leaves
   * records on the topic whose claims stay pending.
   */
  afterProduce?: () => void;
}

export const DEFAULT_CLAIM_WAIT_MS = 5_000;

type Accepted = PreparedRecord;
type Refused = Extract<PreparedOutcome, { ok: false }>;

interface PendingRequest {
  /** Every valid record of the request, repeats of a source id within it too. */
  candidates: Accepted[];
  deadLetters: OutgoingMessage[];
  /** Bytes of its events and dead letters, to bound a commit group. */
  bytes: number;
  /** Media type of the request, for the dead letters of its conflicts. */
  contentType: string;
}

/** What the ledger knows of a source id it did not claim now, yet kept no first state for (never expected). */
const UNKNOWN_FIRST_STATE: FirstState = { hash: Buffer.alloc(0), fields: null };

/** A record refused as a conflict, in the shape of a refused outcome (for its dead letter and field errors). */
function conflictOutcome(
  candidate: Accepted,
  verdict: Extract<ResendVerdict, { kind: 'conflict' }>,
): Refused {
  return {
    ok: false,
    index: candidate.index,
    sourceId: candidate.sourceId,
    raw: candidate.raw,
    issues: conflictIssues(candidate.sourceId, verdict.changes),
  };
}

/**
 * Sets each record of a commit group (its requests' records, in order) against the first state
 * of its source id: none for the group's first occurrence when the ledger claimed it now (it is
 * accepted), that occurrence for a later one, and the state the ledger kept when it claimed
 * nothing. Pure.
 */
export function judgeGroup(
  requests: readonly (readonly Accepted[])[],
  firstOccurrence: ReadonlyMap<string, Accepted>,
  claimedIds: ReadonlySet<string>,
  firstStates: ReadonlyMap<string, FirstState>,
): Map<Accepted, ResendVerdict>[] {
  return requests.map(
    (records) =>
      new Map(
        records.map((record) => {
          const owner = firstOccurrence.get(record.sourceId);
          const firstState = claimedIds.has(record.sourceId)
            ? owner === record
              ? undefined
              : owner
            : (firstStates.get(record.sourceId) ?? UNKNOWN_FIRST_STATE);
          return [record, resendVerdict(record, firstState)];
        }),
      ),
  );
}

/** The longest prefix of `text` whose JSON string encoding takes at most `budget` bytes (never half a character). */
export function cutToJsonBytes(text: string, budget: number): string {
  const bytes = (t: string) => Buffer.byteLength(JSON.stringify(t));
  if (bytes(text) <= budget) return text;
  let low = 0;
  let high = Math.min(text.length, Math.max(0, budget));
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (bytes(text.slice(0, mid)) <= budget) low = mid;
    else high = mid - 1;
  }
  let end = low;
  // Do not end on the first half of a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

function deadLetterFor(
  deps: IngestDeps,
  outcome: Refused,
  contentType: string,
  maxMessageBytes: number,
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
      message: cutToJsonBytes(
        outcome.issues.map((i) => `${i.pointer || '/'}: ${i.message}`).join('; '),
        16 * 1024,
      ),
      errors: toFieldErrors(outcome).slice(0, 100),
    },
    contentType,
    payload: '',
    truncated: false,
  };
  const key = cutToJsonBytes(outcome.sourceId ?? record.id, 1024);
  // Cut by bytes, not characters: the dead letter as a whole must fit one Kafka record.
  const budget = maxMessageBytes - messageBytes({ key, value: record }) - 64;
  record.payload = cutToJsonBytes(outcome.raw, budget);
  record.truncated = record.payload.length < outcome.raw.length;
  return { key, value: Buffer.from(JSON.stringify(record), 'utf8') };
}

/** The longest source id the ledger keeps, in UTF-8 bytes (a btree entry must stay well under 2,700 bytes). */
export const MAX_SOURCE_ID_BYTES = 512;

/**
 * Why a source id cannot be the key of the ledger, if it cannot: PostgreSQL text holds no NUL
 * (the whole commit group failed with a 500), and an unpaired surrogate is written to UTF-8 as
 * U+FFFD, so two different ids would share one claim.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function sourceIdIssue(sourceId: string): RecordIssue | undefined {
  const nul = sourceId.indexOf('\u0000');
  if (nul >= 0) {
    return {
      pointer: '',
      code: 'invalid_source_id',
      message: `the source id holds a NUL character (U+0000) at position ${nul + 1}: send the id as text without it`,
    };
  }
  if (LONE_SURROGATE.test(sourceId)) {
    return {
      pointer: '',
      code: 'invalid_source_id',
      message:
        'the source id holds an unpaired UTF-16 surrogate (an escape such as \\ud800 alone): send valid Unicode',
    };
  }
  const bytes = Buffer.byteLength(sourceId);
  if (bytes > MAX_SOURCE_ID_BYTES) {
    return {
      pointer: '',
      code: 'invalid_source_id',
      message: `the source id takes ${bytes} bytes; at most ${MAX_SOURCE_ID_BYTES} bytes are kept`,
    };
  }
  return undefined;
}

/** Headers of every event message, encoded once (kafkajs copies Buffers as they are). */
export const EVENT_HEADERS: Readonly<Record<string, Buffer>> = Object.freeze({
  'content-type': Buffer.from('application/json'),
  'liandong-schema': Buffer.from('NormalizedEvent/1'),
});

/**
 * The Kafka message of an accepted record: keyed by event id, stamped with the time it was
 * produced. Not with the event time: a forecast's onset is hours or days ahead, and the broker
 * refuses timestamps more than `message.timestamp.after.max.ms` (one hour) in the future — and
 * deletes at once a record whose timestamp is older than the topic's retention. The event time
 * is in the value (`occurredAt`).
 */
export function eventMessage(
  record: Pick<PreparedRecord, 'eventId' | 'value' | 'partitionHash'>,
  producedAtMs: number,
): OutgoingMessage {
  return {
    key: record.eventId,
    value: record.value,
    timestamp: producedAtMs,
    partitionHash: record.partitionHash,
    headers: EVENT_HEADERS,
  };
}

/** The bytes of an accepted record's Kafka message, checked against the limit before producing. */
export function eventMessageBytes(
  record: Pick<PreparedRecord, 'eventId' | 'value' | 'partitionHash'>,
): number {
  return messageBytes(eventMessage(record, 0)) + 8;
}

/**
 * Takes the normalized records of requests to Kafka: refused records to the dead-letter topic,
 * new events to the department's topic, repeats reported as duplicates when their content is
 * the one first accepted and as conflicts (dead-lettered, the first state kept) when it is
 * not. Requests that arrive together are committed together: one claim statement ('pending'),
 * one produce request, one statement marking the claims 'published' — no transaction is open
 * while Kafka is written to. A source id another request is producing is asked again until that
 * request's outcome is known (at most `claimWaitMs`, then 503). A request resolves only after
 * Kafka acknowledged everything written for it, and fails (its claims released) when Kafka could
 * not take the write.
 */
export function createIngestPipeline(deps: IngestDeps) {
  const topic = namespacedTopic(eventsTopic(deps.department), deps.topicPrefix);
  const dlqTopic = namespacedTopic(TOPICS.deadLetters, deps.topicPrefix);
  const maxMessageBytes = deps.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const claimWaitMs = deps.claimWaitMs ?? DEFAULT_CLAIM_WAIT_MS;

  type Committed = Map<Accepted, ResendVerdict> | AppError;

  async function commit(group: PendingRequest[]): Promise<Committed[]> {
    const stop = deps.metrics.commitSeconds.startTimer();
    try {
      return await commitGroup(group);
    } catch (error) {
      // Kafka refused records for good (not an outage): commit each request of the group alone,
      // so that only the request holding them hears of it (nothing of the group was claimed).
      if (group.length === 1 || !isAppError(error) || error.retriable) throw error;
      const results: Committed[] = [];
      for (const request of group) {
        try {
          results.push(...(await commitGroup([request])));
        } catch (alone) {
          results.push(toAppError(alone));
        }
      }
      return results;
    } finally {
      stop();
      deps.metrics.commitRecords.observe(
        group.reduce((n, r) => n + r.candidates.length + r.deadLetters.length, 0),
      );
    }
  }

  async function commitGroup(group: PendingRequest[]): Promise<Committed[]> {
    // Across the requests of one group (and within each), the first occurrence of a source id is the candidate.
    const first = new Map<string, Accepted>();
    for (const request of group) {
      for (const candidate of request.candidates) {
        if (!first.has(candidate.sourceId)) first.set(candidate.sourceId, candidate);
      }
    }
    const publish = async (events: OutgoingMessage[], letters: OutgoingMessage[]) => {
      const batches = [];
      if (events.length > 0) batches.push({ topic, messages: events });
      if (letters.length > 0) batches.push({ topic: dlqTopic, messages: letters });
      if (batches.length === 0) return;
      const stop = deps.metrics.produceSeconds.startTimer();
      await deps.producer.send(batches);
      stop();
    };
    // The group's dead letters travel with its first produce, also when nothing is claimed.
    let letters = group.flatMap((r) => r.deadLetters);
    if (first.size === 0) {
      await publish([], letters);
      return group.map(() => new Map<Accepted, ResendVerdict>());
    }
    const claimedIds = new Set<string>();
    const firstStates = new Map<string, FirstState>();
    const judge = () =>
      judgeGroup(
        group.map((r) => r.candidates),
        first,
        claimedIds,
        firstStates,
      );
    // In one order across concurrent commits, so that two claiming the same ids never deadlock.
    let asked = [...first.values()].sort((a, b) =>
      a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0,
    );
    let busy = new Set<string>();
    const token = deps.records.begin();
    const startedAt = Date.now();
    try {
      for (let round = 0; ; round += 1) {
        // 1. Claim ('pending') in a statement of its own: no transaction stays open during the produce.
        let found;
        try {
          found = await deps.records.claim(
            deps.department,
            asked.map((c) => ({
              sourceId: c.sourceId,
              eventId: c.eventId,
              hash: c.hash,
              topic,
              ...(c.fields ? { fields: c.fields } : {}),
            })),
            token,
          );
        } catch (error) {
          // It may have been written before the connection was lost: release what this commit holds.
          await release(asked.map((c) => c.sourceId));
          throw error;
        }
        const claimedNow = [...found.claimed];
        for (const id of claimedNow) claimedIds.add(id);
        for (const [id, state] of found.firstStates) firstStates.set(id, state);
        const resolved = new Set([...claimedNow, ...found.firstStates.keys()]);
        const verdicts = judge();
        const conflicts = group.flatMap((request, i) =>
          [...(verdicts[i] ?? [])].flatMap(([candidate, verdict]) =>
            verdict.kind === 'conflict' && resolved.has(candidate.sourceId)
              ? [
                  deadLetterFor(
                    deps,
                    conflictOutcome(candidate, verdict),
                    request.contentType,
                    maxMessageBytes,
                  ),
                ]
              : [],
          ),
        );
        // 2. Produce. A failure releases this commit's claims, so that the sender's retry is accepted.
        const producedAt = deps.now().getTime();
        try {
          await publish(
            claimedNow.map((id) => eventMessage(first.get(id) as Accepted, producedAt)),
            [...letters, ...conflicts],
          );
        } catch (error) {
          await release(claimedNow);
          throw error;
        }
        letters = [];
        deps.afterProduce?.();
        // 3. Kafka acknowledged: the claims are for good. If the mark fails the records are on the
        // topic all the same (answered 202); their claims stay pending, and a resend of the same
        // content takes one over and produces it again under the same event id.
        await deps.records.markPublished(deps.department, claimedNow).catch((error: unknown) => {
          deps.logger.warn(
            { err: error, records: claimedNow.length },
            'produced, but the claims could not be marked published: they stay pending',
          );
        });
        busy = found.busy;
        if (busy.size === 0 || Date.now() - startedAt >= claimWaitMs) break;
        // Another request is producing these ids: wait for its outcome (a repeat, or free again).
        await new Promise((r) => setTimeout(r, Math.min(10 * 2 ** round, 200)));
        asked = asked.filter((c) => busy.has(c.sourceId));
      }
    } finally {
      deps.records.end(token);
    }
    const verdicts = judge();
    return group.map((request, i) => {
      const held = request.candidates.find((c) => busy.has(c.sourceId));
      if (!held) return verdicts[i] as Map<Accepted, ResendVerdict>;
      return new AppError(
        'dependency_unavailable',
        `the record with source id ${JSON.stringify(held.sourceId)} is being accepted by another request ` +
          `(still unconfirmed after ${claimWaitMs} ms); retry shortly`,
        { retryAfterSeconds: 1 },
      );
    });

    async function release(sourceIds: string[]): Promise<void> {
      await deps.records.release(deps.department, sourceIds, token).catch((error: unknown) => {
        // Left pending: this process takes such an orphan over at the sender's retry, another after the lease.
        deps.logger.warn({ err: error, records: sourceIds.length }, 'claims could not be released');
      });
    }
  }

  /**
   * What the ledger and Kafka would refuse is refused here, per record: a source id PostgreSQL
   * cannot store as sent, an event larger than one Kafka record may be.
   */
  function checkBeforeCommit(outcome: PreparedOutcome): PreparedOutcome {
    if (!outcome.ok) return outcome;
    const idIssue = sourceIdIssue(outcome.sourceId);
    if (idIssue) return { ok: false, index: outcome.index, raw: outcome.raw, issues: [idIssue] };
    const bytes = eventMessageBytes(outcome);
    if (bytes <= maxMessageBytes) return outcome;
    return {
      ok: false,
      index: outcome.index,
      sourceId: outcome.sourceId,
      raw: outcome.raw,
      issues: [
        {
          pointer: '',
          code: 'record_too_large',
          message:
            `the record's event takes ${bytes} bytes on Kafka; one record may take at most ${maxMessageBytes} bytes ` +
            '(KAFKA_MAX_MESSAGE_BYTES): shorten its texts or send the content by reference',
        },
      ],
    };
  }

  /** The reply's line for a valid record: accepted, a duplicate, or a conflict naming the changed fields. */
  function recordResult(candidate: Accepted, verdict: ResendVerdict): IngestRecordResult {
    const { index, sourceId, eventId } = candidate;
    switch (verdict.kind) {
      case 'accepted':
        return { index, sourceId, status: 'accepted', eventId, topic };
      case 'duplicate':
        return { index, sourceId, status: 'duplicate', eventId, topic, sameContent: verdict.sameContent };
      case 'conflict':
        return {
          index,
          sourceId,
          status: 'conflict',
          eventId,
          topic,
          errors: toFieldErrors(conflictOutcome(candidate, verdict)),
        };
    }
  }

  const queue = createCommitQueue<PendingRequest, Committed>({
    commit,
    weight: (r) => r.candidates.length + r.deadLetters.length,
    bytes: (r) => r.bytes,
    maxInFlight: deps.maxCommitsInFlight ?? 2,
    // kafkajs groups a request's messages by partition in quadratic time: keep groups moderate.
    maxGroupWeight: 1000,
    // One group is one produce request: a few of the broker's record batches at most.
    maxGroupBytes: 4 * maxMessageBytes,
    ...(deps.maxQueuedRequests !== undefined ? { maxQueued: deps.maxQueuedRequests } : {}),
    ...(deps.commitTimeoutMs !== undefined ? { maxWaitMs: deps.commitTimeoutMs } : {}),
  });

  return {
    async ingest(outcomes: PreparedOutcome[], contentType: string, format: string): Promise<IngestResponse> {
      const results = new Array<IngestRecordResult>(outcomes.length);
      const request: PendingRequest = { candidates: [], deadLetters: [], bytes: 0, contentType };

      for (const prepared of outcomes) {
        const outcome = checkBeforeCommit(prepared);
        if (!outcome.ok) {
          const letter = deadLetterFor(deps, outcome, contentType, maxMessageBytes);
          request.deadLetters.push(letter);
          request.bytes += messageBytes(letter);
          results[outcome.index] = {
            index: outcome.index,
            ...(outcome.sourceId !== undefined ? { sourceId: outcome.sourceId } : {}),
            status: 'rejected',
            errors: toFieldErrors(outcome),
          };
          for (const issue of outcome.issues) deps.metrics.refused.inc({ reason: issue.code });
          continue;
        }
        request.candidates.push(outcome);
        request.bytes += outcome.value.length;
      }

      const verdicts = await queue.submit(request);
      if (verdicts instanceof Error) throw verdicts;
      for (const candidate of request.candidates) {
        results[candidate.index] = recordResult(candidate, verdicts.get(candidate) as ResendVerdict);
      }

      const response: IngestResponse = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, results };
      for (const result of results) {
        if (result.status === 'accepted') response.accepted += 1;
        else if (result.status === 'duplicate') response.duplicates += 1;
        else if (result.status === 'conflict') response.conflicts += 1;
        else response.rejected += 1;
      }
      deps.metrics.records.inc({ outcome: 'accepted', format }, response.accepted);
      deps.metrics.records.inc({ outcome: 'duplicate', format }, response.duplicates);
      deps.metrics.records.inc({ outcome: 'conflict', format }, response.conflicts);
      deps.metrics.records.inc({ outcome: 'rejected', format }, response.rejected);
      if (response.conflicts > 0) deps.metrics.refused.inc({ reason: 'conflict' }, response.conflicts);
      return response;
    },
  };
}

export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
