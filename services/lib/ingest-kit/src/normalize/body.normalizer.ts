import { hash } from 'node:crypto';
import { MAX_BATCH_RECORDS } from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import { partitionHash } from '@liandong/kafka';
import type { IngestDefinition } from '../definition.ts';
import type { NormalizeContext, RecordOutcome } from '../domain/outcome.ts';
import { assertJsonDepth, parseJsonBody, type IngestMediaType } from '../media.ts';
import { fieldDigests, type FieldDigests } from '../domain/content-fields.ts';

/** Turns one pushed body into its records' outcomes: JSON (object, array, or what the feed unwraps) or XML. */
export function normalizeBody(
  definition: IngestDefinition,
  mediaType: IngestMediaType,
  text: string,
  context: NormalizeContext,
): { outcomes: RecordOutcome[]; format: 'json' | 'xml' } {
  if (mediaType === 'application/json') {
    if (!definition.json) throw new AppError('unsupported_media_type', 'this service takes XML records only');
    assertJsonDepth(text);
    const parsed = definition.json.parse ? definition.json.parse(text) : parseJsonBody(text);
    const records = definition.json.unwrap?.(parsed) ?? (Array.isArray(parsed) ? parsed : [parsed]);
    if (records.length === 0) throw new AppError('malformed_body', 'the batch is empty');
    if (records.length > MAX_BATCH_RECORDS) {
      throw new AppError(
        'payload_too_large',
        `the batch has ${records.length} records; send at most ${MAX_BATCH_RECORDS} per request`,
      );
    }
    const normalize = definition.json.normalize;
    return { outcomes: records.map((value, index) => normalize(value, index, context)), format: 'json' };
  }
  if (!definition.xml) throw new AppError('unsupported_media_type', 'this service takes JSON records only');
  const outcomes = definition.xml(text, context);
  if (outcomes.length > MAX_BATCH_RECORDS) {
    throw new AppError(
      'payload_too_large',
      `the document has ${outcomes.length} records; send at most ${MAX_BATCH_RECORDS} per request`,
    );
  }
  return { outcomes, format: 'xml' };
}

/**
 * An accepted record ready to commit: its identity, its raw text, content hash and (JSON
 * records) field digests for the ledger, and its event serialized as the Kafka value.
 */
export interface PreparedRecord {
  ok: true;
  index: number;
  sourceId: string;
  eventId: string;
  occurredAtMs: number;
  raw: string;
  hash: Buffer;
  /** JSON records: a digest per field, to name what a resend under the same source id changed. */
  fields?: FieldDigests;
  value: Buffer;
  /** Kafka partition hash of the event id, computed here rather than when producing. */
  partitionHash: number;
}

export type PreparedOutcome = PreparedRecord | Extract<RecordOutcome, { ok: false }>;

export function contentHash(raw: string): Buffer {
  return hash('sha256', raw, 'buffer');
}

/** Serializes accepted events once, where they were normalized (on a normalizing thread for large bodies). */
export function prepare(outcomes: RecordOutcome[]): PreparedOutcome[] {
  return outcomes.map((outcome) => {
    if (!outcome.ok) return outcome;
    const fields = fieldDigests(outcome.raw);
    return {
      ok: true,
      index: outcome.index,
      sourceId: outcome.event.source.id,
      eventId: outcome.event.id,
      occurredAtMs: Date.parse(outcome.event.occurredAt),
      raw: outcome.raw,
      hash: contentHash(outcome.raw),
      ...(fields ? { fields } : {}),
      value: Buffer.from(JSON.stringify(outcome.event), 'utf8'),
      partitionHash: partitionHash(outcome.event.id),
    };
  });
}
