import type { LivePush } from '@liandong/contracts';
import type { Pool, PoolClient } from '@liandong/db';

export interface PendingPush {
  audiences: readonly string[];
  type: LivePush['type'];
  data: LivePush['data'];
  /** Unique per audience: a redelivered message never pushes twice. */
  dedupeKey: string;
  at: string;
}

export interface StoredPush {
  audience: string;
  push: LivePush;
}

interface PushRow {
  audience: string;
  seq: string;
  type: LivePush['type'];
  at: Date;
  data: LivePush['data'];
}

const toStored = (row: PushRow): StoredPush => ({
  audience: row.audience,
  push: { type: row.type, seq: Number(row.seq), at: row.at.toISOString(), data: row.data } as LivePush,
});

/** The NOTIFY channel of a schema (tests run many schemas in one database). */
export function pushChannel(schema: string): string {
  return `liandong_push_${schema}`.slice(0, 63);
}

/**
 * The live push log. Within the writer's transaction each audience's counter row is locked and
 * advanced, so sequences are gap-free and become visible in order, whichever hub writes them.
 */
export function createPushRepository(pool: Pool, channel: string) {
  return {
    /** Appends inside the caller's transaction (audiences in sorted order, the lock order). */
    async append(client: PoolClient, pushes: readonly PendingPush[]): Promise<number> {
      let written = 0;
      for (const push of pushes) {
        // One round trip per push: advance the counter of each of its audiences (locking them to
        // the commit; "all" comes first in every push, so writers queue there and never deadlock)
        // and write the push under each audience's new sequence.
        const result = await client.query(
          `WITH counters AS (
             INSERT INTO push_audiences (audience, seq) SELECT a, 1 FROM unnest($1::text[]) AS a
             ON CONFLICT (audience) DO UPDATE SET seq = push_audiences.seq + 1 RETURNING audience, seq)
           INSERT INTO push_log (audience, seq, dedupe_key, type, at, data)
           SELECT audience, seq, $2, $3, $4, $5 FROM counters`,
          [[...push.audiences].sort(), push.dedupeKey, push.type, push.at, JSON.stringify(push.data)],
        );
        written += result.rowCount ?? 0;
      }
      if (written > 0) await client.query('SELECT pg_notify($1, $2)', [channel, String(written)]);
      return written;
    },

    /** The newest sequence of every audience that has one. */
    async latest(): Promise<Map<string, number>> {
      const { rows } = await pool.query<{ audience: string; seq: string }>(
        'SELECT audience, seq FROM push_audiences',
      );
      return new Map(rows.map((r) => [r.audience, Number(r.seq)]));
    },

    async oldest(audience: string): Promise<number | undefined> {
      const { rows } = await pool.query<{ seq: string | null }>(
        'SELECT min(seq) AS seq FROM push_log WHERE audience = $1',
        [audience],
      );
      return rows[0]?.seq == null ? undefined : Number(rows[0].seq);
    },

    /** Pushes of every audience after its cursor, in (audience, seq) order. */
    async after(cursors: ReadonlyMap<string, number>, limit: number): Promise<StoredPush[]> {
      const audiences = [...cursors.keys()];
      const { rows } = await pool.query<PushRow>(
        `SELECT p.audience, p.seq, p.type, p.at, p.data
         FROM unnest($1::text[], $2::bigint[]) AS c(audience, seq)
         CROSS JOIN LATERAL (
           SELECT * FROM push_log p WHERE p.audience = c.audience AND p.seq > c.seq ORDER BY p.seq LIMIT $3
         ) p
         ORDER BY p.audience, p.seq`,
        [audiences, audiences.map((a) => cursors.get(a) ?? 0), limit],
      );
      return rows.map(toStored);
    },

    /** One audience's pushes in (after, upTo], in order. */
    async range(audience: string, after: number, upTo: number, limit: number): Promise<LivePush[]> {
      const { rows } = await pool.query<PushRow>(
        `SELECT audience, seq, type, at, data FROM push_log
         WHERE audience = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
        [audience, after, upTo, limit],
      );
      return rows.map((r) => toStored(r).push);
    },

    /** Drops pushes older than `before`; consoles further behind are told to reload. */
    async prune(before: Date): Promise<number> {
      const result = await pool.query('DELETE FROM push_log WHERE at < $1', [before]);
      return result.rowCount ?? 0;
    },
  };
}

export type PushRepository = ReturnType<typeof createPushRepository>;
