import { inTransaction, type Pool } from '@liandong/db';
import { afterFailure, blockedFor, type ThrottlePolicy, type ThrottleRecord } from '../domain/throttle.ts';

/** Failed-login counters in PostgreSQL, so every hub instance counts the same attempts. */
export function createThrottleRepository(pool: Pool) {
  return {
    /** The longest block among the keys, in seconds, or undefined. */
    async blocked(keys: readonly string[], now: Date): Promise<number | undefined> {
      const { rows } = await pool.query<{
        failures: number;
        window_started_at: Date;
        blocked_until: Date | null;
      }>('SELECT failures, window_started_at, blocked_until FROM login_throttle WHERE key = ANY($1)', [keys]);
      const waits = rows
        .map((r) =>
          blockedFor(
            { failures: r.failures, windowStartedAt: r.window_started_at, blockedUntil: r.blocked_until },
            now,
          ),
        )
        .filter((s): s is number => s !== undefined);
      return waits.length ? Math.max(...waits) : undefined;
    },

    async fail(keyed: readonly { key: string; policy: ThrottlePolicy }[], now: Date): Promise<void> {
      await inTransaction(pool, async (client) => {
        for (const { key, policy } of keyed) {
          await client.query(
            `INSERT INTO login_throttle (key, failures, window_started_at) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING`,
            [key, now],
          );
          const { rows } = await client.query<{
            failures: number;
            window_started_at: Date;
            blocked_until: Date | null;
          }>(
            'SELECT failures, window_started_at, blocked_until FROM login_throttle WHERE key = $1 FOR UPDATE',
            [key],
          );
          const row = rows[0];
          const before: ThrottleRecord | undefined =
            row && row.failures > 0
              ? {
                  failures: row.failures,
                  windowStartedAt: row.window_started_at,
                  blockedUntil: row.blocked_until,
                }
              : undefined;
          const next = afterFailure(before, now, policy);
          await client.query(
            'UPDATE login_throttle SET failures = $2, window_started_at = $3, blocked_until = $4 WHERE key = $1',
            [key, next.failures, next.windowStartedAt, next.blockedUntil],
          );
        }
      });
    },

    async reset(key: string): Promise<void> {
      await pool.query('DELETE FROM login_throttle WHERE key = $1', [key]);
    },
  };
}

export type ThrottleRepository = ReturnType<typeof createThrottleRepository>;
