import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from '@liandong/db';
import { AppError } from '@liandong/errors';

export interface StoredReply {
  status: number;
  body: unknown;
}

export const requestHash = (route: string, body: unknown): Buffer =>
  createHash('sha256')
    .update(route)
    .update('\n')
    .update(JSON.stringify(body ?? null))
    .digest();

/**
 * Replies to writes sent with an Idempotency-Key, per user: a retry gets the first reply; the same
 * key with another request is refused (409) rather than silently answered with the first reply.
 */
export function createIdempotencyRepository(pool: Pool) {
  return {
    async find(userId: string, key: string, route: string, hash: Buffer): Promise<StoredReply | undefined> {
      const { rows } = await pool.query<{
        route: string;
        request_hash: Buffer;
        status: number;
        response: unknown;
      }>(
        'SELECT route, request_hash, status, response FROM idempotency_keys WHERE user_id = $1 AND key = $2',
        [userId, key],
      );
      const row = rows[0];
      if (!row) return undefined;
      if (row.route !== route || !row.request_hash.equals(hash))
        throw new AppError(
          'conflict',
          'this Idempotency-Key was used for another request; use a new key for a new request',
          {
            errors: [
              { pointer: '/headers/idempotency-key', code: 'key_reused', message: 'one key per request' },
            ],
          },
        );
      return { status: row.status, body: row.response };
    },

    /** Records the reply inside the transaction of the write itself. */
    async save(
      client: PoolClient,
      entry: { userId: string; key: string; route: string; hash: Buffer; reply: StoredReply },
    ): Promise<void> {
      await client.query(
        `INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, response) VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          entry.userId,
          entry.key,
          entry.route,
          entry.hash,
          entry.reply.status,
          JSON.stringify(entry.reply.body),
        ],
      );
    },

    async prune(before: Date): Promise<void> {
      await pool.query('DELETE FROM idempotency_keys WHERE created_at < $1', [before]);
    },
  };
}

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
