import type { Pool } from '@liandong/db';
import { toDatabaseError } from '@liandong/db';
import { isAppError } from '@liandong/errors';
import type { FieldDigests, FirstState } from '../domain/content-fields.ts';

export interface Claim {
  sourceId: string;
  eventId: string;
  /** SHA-256 of the record as received, to tell a repeat from a changed record. */
  hash: Buffer;
  topic: string;
  /** JSON records: a digest per field (never the values), to name what a changed resend changed. */
  fields?: FieldDigests;
}

export interface ClaimOutcome {
  sourceId: string;
  claimed: boolean;
  /** For a source id accepted earlier: that first state (its fields null when not kept). */
  first?: FirstState;
}

/**
 * The ledger of accepted records. `claimThenPublish` claims the records' (department, source id)
 * in one transaction, runs `publish` with the newly claimed ones and the first states of the
 * others while the claim is held (a concurrent request for the same ids waits, then sees them
 * as repeats), and commits only when publish succeeded. `publish` runs even when nothing new was
 * claimed. If publish fails nothing is claimed, so the sender's retry is accepted.
 */
export function createRecordRepository(pool: Pool) {
  return {
    async claimThenPublish(
      department: string,
      claims: Claim[],
      publish: (claimed: Claim[], firstStates: ReadonlyMap<string, FirstState>) => Promise<void>,
    ): Promise<ClaimOutcome[]> {
      let client;
      try {
        client = await pool.connect();
      } catch (error) {
        throw toDatabaseError(error);
      }
      try {
        await client.query('BEGIN');
        const inserted = await client.query<{ source_id: string }>(
          `INSERT INTO ingest_records (department, source_id, event_id, content_hash, topic, field_digests)
           SELECT $1, s, e::uuid, h, t, f::jsonb
           FROM unnest($2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[]) AS u(s, e, h, t, f)
           ON CONFLICT (department, source_id) DO NOTHING
           RETURNING source_id`,
          [
            department,
            claims.map((c) => c.sourceId),
            claims.map((c) => c.eventId),
            claims.map((c) => c.hash),
            claims.map((c) => c.topic),
            claims.map((c) => (c.fields ? JSON.stringify(c.fields) : null)),
          ],
        );
        const claimedIds = new Set(inserted.rows.map((r) => r.source_id));
        const repeats = claims.filter((c) => !claimedIds.has(c.sourceId));
        const firstStates = new Map<string, FirstState>();
        if (repeats.length > 0) {
          const { rows } = await client.query<{
            source_id: string;
            content_hash: Buffer;
            field_digests: FieldDigests | null;
          }>(
            'SELECT source_id, content_hash, field_digests FROM ingest_records WHERE department = $1 AND source_id = ANY($2::text[])',
            [department, repeats.map((d) => d.sourceId)],
          );
          for (const row of rows)
            firstStates.set(row.source_id, { hash: row.content_hash, fields: row.field_digests });
        }
        // Even when nothing is claimed: the group's dead letters travel in the same produce.
        await publish(
          claims.filter((c) => claimedIds.has(c.sourceId)),
          firstStates,
        );
        await client.query('COMMIT');
        return claims.map((c) => {
          const first = firstStates.get(c.sourceId);
          return {
            sourceId: c.sourceId,
            claimed: claimedIds.has(c.sourceId),
            ...(first ? { first } : {}),
          };
        });
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw isAppError(error) ? error : toDatabaseError(error);
      } finally {
        client.release();
      }
    },
  };
}

export type RecordRepository = ReturnType<typeof createRecordRepository>;
