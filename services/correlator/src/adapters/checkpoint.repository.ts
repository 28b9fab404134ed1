/**
 * PostgreSQL side of the correlator's crash safety: the engine snapshot with the input offset it
 * covers, and the highest revision of each warning produced (with how far the warnings topic is
 * known to be recorded). All writes of one batch go in one transaction.
 */
import { toDatabaseError, type Pool } from '@liandong/db';

export interface Checkpoint {
  nextOffset: string;
  rules: string;
  snapshot: string;
  events: number;
}

export interface BatchRecord {
  /** Highest revision per warning id produced by this batch. */
  produced: ReadonlyMap<string, number>;
  /** Next offset per partition of the warnings topic after this batch's writes. */
  outputOffsets: ReadonlyMap<number, string>;
  /** A new snapshot, when one is due. */
  checkpoint?: Checkpoint;
}

export interface CheckpointRepository {
  load(groupId: string, topic: string, partition: number): Promise<Checkpoint | undefined>;
  /** Highest produced revision per warning id, and the recorded next offset per output partition. */
  loadProduced(scope: string): Promise<{ produced: Map<string, number>; offsets: Map<number, string> }>;
  record(
    key: { groupId: string; topic: string; partition: number; scope: string },
    batch: BatchRecord,
  ): Promise<void>;
}

export function createCheckpointRepository(pool: Pool): CheckpointRepository {
  return {
    async load(groupId, topic, partition) {
      try {
        const { rows } = await pool.query<{
          next_offset: string;
          rules: string;
          snapshot: string;
          events: string;
        }>(
          `SELECT next_offset, rules, snapshot, events FROM correlator_checkpoints
            WHERE group_id = $1 AND topic = $2 AND partition = $3`,
          [groupId, topic, partition],
        );
        const row = rows[0];
        if (!row) return undefined;
        return {
          nextOffset: row.next_offset,
          rules: row.rules,
          snapshot: row.snapshot,
          events: Number(row.events),
        };
      } catch (error) {
        throw toDatabaseError(error);
      }
    },

    async loadProduced(scope) {
      try {
        const produced = new Map<string, number>();
        const offsets = new Map<number, string>();
        const warnings = await pool.query<{ warning_id: string; revision: number }>(
          'SELECT warning_id, revision FROM correlator_produced WHERE scope = $1',
          [scope],
        );
        for (const row of warnings.rows) produced.set(row.warning_id, row.revision);
        const parts = await pool.query<{ partition: number; next_offset: string }>(
          'SELECT partition, next_offset FROM correlator_output_offsets WHERE scope = $1',
          [scope],
        );
        for (const row of parts.rows) offsets.set(row.partition, row.next_offset);
        return { produced, offsets };
      } catch (error) {
        throw toDatabaseError(error);
      }
    },

    async record(key, batch) {
      if (batch.produced.size === 0 && batch.outputOffsets.size === 0 && !batch.checkpoint) return;
      const client = await pool.connect().catch((error: unknown) => {
        throw toDatabaseError(error);
      });
      try {
        await client.query('BEGIN');
        if (batch.produced.size > 0) {
          await client.query(
            `INSERT INTO correlator_produced (scope, warning_id, revision)
             SELECT $1, id, rev FROM unnest($2::text[], $3::int[]) AS t(id, rev)
             ON CONFLICT (scope, warning_id)
             DO UPDATE SET revision = GREATEST(correlator_produced.revision, EXCLUDED.revision)`,
            [key.scope, [...batch.produced.keys()], [...batch.produced.values()]],
          );
        }
        if (batch.outputOffsets.size > 0) {
          await client.query(
            `INSERT INTO correlator_output_offsets (scope, partition, next_offset)
             SELECT $1, p, o FROM unnest($2::int[], $3::bigint[]) AS t(p, o)
             ON CONFLICT (scope, partition)
             DO UPDATE SET next_offset = GREATEST(correlator_output_offsets.next_offset, EXCLUDED.next_offset)`,
            [key.scope, [...batch.outputOffsets.keys()], [...batch.outputOffsets.values()]],
          );
        }
        const checkpoint = batch.checkpoint;
        if (checkpoint) {
          await client.query(
            `INSERT INTO correlator_checkpoints (group_id, topic, partition, next_offset, rules, snapshot, events, taken_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, now())
             ON CONFLICT (group_id, topic, partition) DO UPDATE SET
               next_offset = EXCLUDED.next_offset, rules = EXCLUDED.rules, snapshot = EXCLUDED.snapshot,
               events = EXCLUDED.events, taken_at = EXCLUDED.taken_at`,
            [
              key.groupId,
              key.topic,
              key.partition,
              checkpoint.nextOffset,
              checkpoint.rules,
              checkpoint.snapshot,
              checkpoint.events,
            ],
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw toDatabaseError(error);
      } finally {
        client.release();
      }
    },
  };
}
