import { randomUUID } from 'node:crypto';
import type { Pool } from '@liandong/db';
import { toDatabaseError } from '@liandong/db';
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

/** What one claim round found for each source id asked for. */
export interface ClaimRound {
  /** Claimed now by this commit ('pending'): new, or a pending claim taken over. Produce these. */
  claimed: Set<string>;
  /**
   * Accepted before: a published claim, or a pending one that may not be taken over because its
   * content differs (the first state stands; a resend of other content is a conflict).
   */
  firstStates: Map<string, FirstState>;
  /** Pending under another commit still within its lease: neither a repeat nor ours yet. */
  busy: Set<string>;
}

export interface RecordRepositoryOptions {
  /**
   * How long a pending claim stays its holder's (CLAIM_LEASE_MS): longer than a produce may take,
   * retries included; after it a resend of the same content takes the claim over.
   */
  leaseMs?: number;
}

export const DEFAULT_CLAIM_LEASE_MS = 60_000;

/**
 * The ledger of accepted records (`ingest_records`), never held open while Kafka is written to:
 *
 * 1. `claim` inserts 'pending' claims in one statement (its own short transaction). A source id
 *    claimed before is a repeat when 'published'. When 'pending' with the same content, it is
 *    taken over (its claim token replaced) when its lease ran out, or when this very process
 *    wrote it in a commit that is no longer under way (an orphan: a commit whose claim could not
 *    be confirmed or released); otherwise it is `busy` (another request is producing it).
 * 2. the caller produces the claimed records;
 * 3. `markPublished` marks them 'published' — or `release` deletes this commit's pending claims
 *    when the produce failed, so that the sender's retry is accepted.
 *
 * `begin` opens a commit's session (its claim token); `end` closes it (whatever happened).
 */
export function createRecordRepository(pool: Pool, options: RecordRepositoryOptions = {}) {
  const leaseMs = options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  /** This process: its pending claims whose token is not under way are orphans it may take at once. */
  const instance = randomUUID();
  const underWay = new Set<string>();

  async function query<R extends object>(text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (error) {
      throw toDatabaseError(error);
    }
  }

  return {
    leaseMs,
    begin(): string {
      const token = randomUUID();
      underWay.add(token);
      return token;
    },
    end(token: string): void {
      underWay.delete(token);
    },

    async claim(department: string, claims: Claim[], token: string): Promise<ClaimRound> {
      const round: ClaimRound = { claimed: new Set(), firstStates: new Map(), busy: new Set() };
      if (claims.length === 0) return round;
      const inserted = await query<{ source_id: string }>(
        `INSERT INTO ingest_records AS r
           (department, source_id, event_id, content_hash, topic, field_digests, state, claimed_by, claim_token)
         SELECT $1, s, e::uuid, h, t, f::jsonb, 'pending', $7::uuid, $8::uuid
         FROM unnest($2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[]) AS u(s, e, h, t, f)
         ON CONFLICT (department, source_id) DO UPDATE
           SET claimed_by = EXCLUDED.claimed_by, claim_token = EXCLUDED.claim_token, accepted_at = now()
           WHERE r.state = 'pending' AND r.content_hash = EXCLUDED.content_hash
             AND (r.accepted_at < now() - $9 * interval '1 millisecond'
                  OR (r.claimed_by = $7::uuid AND NOT (r.claim_token = ANY($10::uuid[]))))
         RETURNING source_id`,
        [
          department,
          claims.map((c) => c.sourceId),
          claims.map((c) => c.eventId),
          claims.map((c) => c.hash),
          claims.map((c) => c.topic),
          claims.map((c) => (c.fields ? JSON.stringify(c.fields) : null)),
          instance,
          token,
          leaseMs,
          [...underWay],
        ],
      );
      for (const row of inserted) round.claimed.add(row.source_id);
      const others = claims.filter((c) => !round.claimed.has(c.sourceId));
      if (others.length === 0) return round;
      const rows = await query<{
        source_id: string;
        content_hash: Buffer;
        field_digests: FieldDigests | null;
        state: string;
        takeable: boolean;
      }>(
        `SELECT source_id, content_hash, field_digests, state,
                (accepted_at < now() - $3 * interval '1 millisecond'
                 OR (claimed_by = $4::uuid AND NOT (claim_token = ANY($5::uuid[])))) AS takeable
         FROM ingest_records WHERE department = $1 AND source_id = ANY($2::text[])`,
        [department, others.map((c) => c.sourceId), leaseMs, instance, [...underWay]],
      );
      const found = new Map(rows.map((row) => [row.source_id, row]));
      for (const claim of others) {
        const row = found.get(claim.sourceId);
        // Released between the two statements (its produce failed), or still held within its
        // lease (or taken over meanwhile by another request): asked again in the next round. A
        // pending claim of other content that may be taken over stands as the first state.
        const pending = row?.state === 'pending';
        if (!row || (pending && (!row.takeable || row.content_hash.equals(claim.hash))))
          round.busy.add(claim.sourceId);
        else round.firstStates.set(claim.sourceId, { hash: row.content_hash, fields: row.field_digests });
      }
      return round;
    },

    /** Kafka acknowledged these records: their claims are for good (whoever holds them now). */
    async markPublished(department: string, sourceIds: string[]): Promise<void> {
      if (sourceIds.length === 0) return;
      await query(
        `UPDATE ingest_records SET state = 'published', claimed_by = NULL, claim_token = NULL
         WHERE department = $1 AND source_id = ANY($2::text[]) AND state = 'pending'`,
        [department, sourceIds],
      );
    },

    /** The produce failed: this commit's pending claims go (not one taken over by another request since). */
    async release(department: string, sourceIds: string[], token: string): Promise<void> {
      if (sourceIds.length === 0) return;
      await query(
        `DELETE FROM ingest_records
         WHERE department = $1 AND source_id = ANY($2::text[]) AND state = 'pending' AND claim_token = $3::uuid`,
        [department, sourceIds, token],
      );
    },
  };
}

export type RecordRepository = ReturnType<typeof createRecordRepository>;
