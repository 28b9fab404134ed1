import type { Pool } from '@liandong/db';
import { toDatabaseError } from '@liandong/db';
import { isAppError } from '@liandong/errors';

export interface Claim {
  sourceId: string;
  eventId: string;
  /** SHA-256 of the record as received, to tell a repeat from a changed record. */
  hash: Buffer;
  topic: string;
}

export interface ClaimOutcome {
  sourceId: string;
  claimed: boolean;
  /** For records already accepted earlier: whether the content is the same as then. */
  sameContent: boolean;
}

/**
 * The ledger of accepted records. `claimThenPublish` claims the records' (department, source id)
 * in one transaction, runs `publish` for the newly claimed ones while the claim is held (a
 * concurrent request for the same ids waits, then sees them as duplicates), and commits only
 * when publish succeeded. `publish` runs even when nothing new was claimed. If publish fails nothing is claimed, so the sender's retry is accepted.
 */
export function createRecordRepository(pool: Pool) {
  return {
    async claimThenPublish(
      department: string,
      claims: Claim[],
      publish: (claimed: Claim[]) => Promise<void>,
    ): Promise<ClaimOutcome[]> {
      let client;
      try {
        client = await pool.connect();
      } catch (error) {
        throw toDatabaseError(error);
      }
      try {
        await client.query('BEGIN');
        const hashes = claims.map((c) => c.hash);
        const inserted = await client.query<{ source_id: string }>(
          `INSERT INTO ingest_records (department, source_id, event_id, content_hash, topic)
           SELECT $1, s, e::uuid, h, t FROM unnest($2::text[], $3::text[], $4::bytea[], $5::text[]) AS u(s, e, h, t)
           ON CONFLICT (department, source_id) DO NOTHING
           RETURNING source_id`,
          [
            department,
            claims.map((c) => c.sourceId),
            claims.map((c) => c.eventId),
            hashes,
            claims.map((c) => c.topic),
          ],
        );
        const claimedIds = new Set(inserted.rows.map((r) => r.source_id));
        const duplicates = claims.filter((c) => !claimedIds.has(c.sourceId));
        const earlier = new Map<string, Buffer>();
        if (duplicates.length > 0) {
          const { rows } = await client.query<{ source_id: string; content_hash: Buffer }>(
            'SELECT source_id, content_hash FROM ingest_records WHERE department = $1 AND source_id = ANY($2::text[])',
            [department, duplicates.map((d) => d.sourceId)],
          );
          for (const row of rows) earlier.set(row.source_id, row.content_hash);
        }
        const claimed = claims.filter((c) => claimedIds.has(c.sourceId));
        // Even when nothing is claimed: the group's dead letters travel in the same produce.
        await publish(claimed);
        await client.query('COMMIT');
        return claims.map((c, i) => ({
          sourceId: c.sourceId,
          claimed: claimedIds.has(c.sourceId),
          sameContent:
            claimedIds.has(c.sourceId) || (earlier.get(c.sourceId)?.equals(hashes[i] as Buffer) ?? false),
        }));
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
