import type { Pool } from '@liandong/db';
import { toDatabaseError } from '@liandong/db';

/** Where each pull connector got to, so that a restart neither skips nor repeats. */
export function createCursorRepository(pool: Pool) {
  return {
    async load(connectorId: string): Promise<unknown> {
      try {
        const { rows } = await pool.query<{ cursor: unknown }>(
          'SELECT cursor FROM ingest_cursors WHERE connector_id = $1',
          [connectorId],
        );
        return rows[0]?.cursor;
      } catch (error) {
        throw toDatabaseError(error);
      }
    },
    async save(connectorId: string, department: string, cursor: unknown): Promise<void> {
      try {
        await pool.query(
          `INSERT INTO ingest_cursors (connector_id, department, cursor, updated_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (connector_id) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
          [connectorId, department, JSON.stringify(cursor)],
        );
      } catch (error) {
        throw toDatabaseError(error);
      }
    },
  };
}

export type CursorRepository = ReturnType<typeof createCursorRepository>;
