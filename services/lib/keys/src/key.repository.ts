import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from '@liandong/db';
import { toDatabaseError } from '@liandong/db';

export interface KeyIdentity {
  keyId: string;
  department: string;
}

export interface IngestKeyRow {
  id: string;
  department: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Keys look like `ld_<department>_<43 base64url chars>`: 256 random bits, recognisable in a leak scan. */
export function generateKey(department: string): string {
  return `ld_${department}_${randomBytes(32).toString('base64url')}`;
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Department keys, hashed at rest. Lookups are cached for `ttlMs` (default 30 s) so a busy feed
 * does not hit the database on every request; a revocation takes effect within that time.
 */
export function createKeyRepository(pool: Pool, options: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = options.ttlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { identity: KeyIdentity | undefined; until: number }>();

  return {
    async authenticate(key: string): Promise<KeyIdentity | undefined> {
      // The cache is keyed by the key as presented (it lives only in this process's memory, as the
      // request does), so a hit costs no hashing; the database sees only the digest.
      const hit = cache.get(key);
      if (hit && hit.until > now()) return hit.identity;
      const digest = hashKey(key);
      let identity: KeyIdentity | undefined;
      try {
        const { rows } = await pool.query<{ id: string; department: string }>(
          'SELECT id, department FROM ingest_keys WHERE key_hash = $1 AND revoked_at IS NULL',
          [digest],
        );
        identity = rows[0] ? { keyId: rows[0].id, department: rows[0].department } : undefined;
      } catch (error) {
        throw toDatabaseError(error);
      }
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { identity, until: now() + ttlMs });
      return identity;
    },

    async create(
      department: string,
      label = '',
      createdBy = 'admin-cli',
    ): Promise<{ id: string; key: string }> {
      const key = generateKey(department);
      const { rows } = await pool.query<{ id: string }>(
        'INSERT INTO ingest_keys (department, key_hash, label, created_by) VALUES ($1, $2, $3, $4) RETURNING id',
        [department, hashKey(key), label, createdBy],
      );
      return { id: (rows[0] as { id: string }).id, key };
    },

    async revoke(id: string): Promise<boolean> {
      const result = await pool.query(
        'UPDATE ingest_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
        [id],
      );
      cache.clear();
      return (result.rowCount ?? 0) > 0;
    },

    async list(department?: string): Promise<IngestKeyRow[]> {
      const { rows } = await pool.query<{
        id: string;
        department: string;
        label: string;
        created_at: Date;
        revoked_at: Date | null;
      }>(
        `SELECT id, department, label, created_at, revoked_at FROM ingest_keys
         WHERE $1::text IS NULL OR department = $1 ORDER BY created_at`,
        [department ?? null],
      );
      return rows.map((r) => ({
        id: r.id,
        department: r.department,
        label: r.label,
        createdAt: r.created_at.toISOString(),
        revokedAt: r.revoked_at?.toISOString() ?? null,
      }));
    },
  };
}

export type KeyRepository = ReturnType<typeof createKeyRepository>;
