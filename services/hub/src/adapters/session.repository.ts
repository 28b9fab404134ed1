import { createHash, randomBytes } from 'node:crypto';
import type { Role, SessionSummary, UnitCode } from '@liandong/contracts';
import { toDatabaseError, type Pool } from '@liandong/db';
import type { Principal } from '../domain/access.ts';
import { judgeSession, type SessionPolicy } from '../domain/session.ts';

export interface ActiveSession {
  principal: Principal;
  tokenHash: Buffer;
  csrfToken: string;
  expiresAt: Date;
}

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Sessions: the cookie holds a 256-bit random token, the table only its digest. A lookup checks
 * the user is still enabled and the session neither idle nor past its absolute end.
 */
export function createSessionRepository(pool: Pool, policy: SessionPolicy) {
  return {
    async create(
      userId: string,
      now: Date,
      client: { ip: string; userAgent: string },
    ): Promise<{ token: string; publicId: string; csrfToken: string; expiresAt: Date }> {
      const token = randomBytes(32).toString('base64url');
      const publicId = randomBytes(9).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now.getTime() + policy.absoluteMs);
      await pool.query(
        `INSERT INTO sessions (token_hash, public_id, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)`,
        [
          hashToken(token),
          publicId,
          userId,
          csrfToken,
          now,
          expiresAt,
          client.ip,
          client.userAgent.slice(0, 300),
        ],
      );
      await pool.query('UPDATE users SET last_login_at = $2 WHERE id = $1', [userId, now]);
      return { token, publicId, csrfToken, expiresAt };
    },

    async lookup(token: string, now: Date): Promise<ActiveSession | undefined> {
      const tokenHash = hashToken(token);
      let row;
      try {
        ({
          rows: [row],
        } = await pool.query<{
          public_id: string;
          user_id: string;
          csrf_token: string;
          created_at: Date;
          last_seen_at: Date;
          expires_at: Date;
          username: string;
          role: Role;
          unit: UnitCode | null;
        }>(
          `SELECT s.public_id, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, u.username, u.role, u.unit
           FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.disabled_at IS NULL`,
          [tokenHash],
        ));
      } catch (error) {
        throw toDatabaseError(error);
      }
      if (!row) return undefined;
      const verdict = judgeSession(
        { createdAt: row.created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at },
        now,
        policy,
      );
      if (!verdict.valid) {
        await pool.query(
          'UPDATE sessions SET ended_at = $2, ended_reason = $3 WHERE token_hash = $1 AND ended_at IS NULL',
          [tokenHash, now, verdict.reason],
        );
        return undefined;
      }
      if (verdict.touch)
        await pool.query('UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1', [tokenHash, now]);
      return {
        principal: {
          userId: row.user_id,
          username: row.username,
          role: row.role,
          unit: row.unit,
          sessionId: row.public_id,
        },
        tokenHash,
        csrfToken: row.csrf_token,
        expiresAt: row.expires_at,
      };
    },

    async end(tokenHash: Buffer, reason: string, now: Date): Promise<void> {
      await pool.query(
        'UPDATE sessions SET ended_at = $2, ended_reason = $3 WHERE token_hash = $1 AND ended_at IS NULL',
        [tokenHash, now, reason],
      );
    },

    /** Ends one of the user's own sessions by its public id; false when there is none. */
    async endOwn(userId: string, publicId: string, now: Date): Promise<boolean> {
      const result = await pool.query(
        `UPDATE sessions SET ended_at = $3, ended_reason = 'ended by its user'
         WHERE user_id = $1 AND public_id = $2 AND ended_at IS NULL`,
        [userId, publicId, now],
      );
      return (result.rowCount ?? 0) > 0;
    },

    async listOwn(userId: string, currentPublicId: string, now: Date): Promise<SessionSummary[]> {
      const { rows } = await pool.query<{
        public_id: string;
        created_at: Date;
        last_seen_at: Date;
        expires_at: Date;
        ip: string;
        user_agent: string;
      }>(
        `SELECT public_id, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions
         WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND last_seen_at > $3
         ORDER BY created_at DESC`,
        [userId, now, new Date(now.getTime() - policy.idleMs)],
      );
      return rows.map((r) => ({
        id: r.public_id,
        createdAt: r.created_at.toISOString(),
        lastSeenAt: r.last_seen_at.toISOString(),
        expiresAt: r.expires_at.toISOString(),
        ip: r.ip,
        userAgent: r.user_agent,
        current: r.public_id === currentPublicId,
      }));
    },

    /** Public ids of sessions among `publicIds` that are no longer valid (for live sockets). */
    async ended(publicIds: readonly string[], now: Date): Promise<Set<string>> {
      if (publicIds.length === 0) return new Set();
      const { rows } = await pool.query<{ public_id: string }>(
        `SELECT wanted.public_id FROM unnest($1::text[]) AS wanted(public_id)
         WHERE NOT EXISTS (
           SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.public_id = wanted.public_id AND s.ended_at IS NULL AND u.disabled_at IS NULL
             AND s.expires_at > $2 AND s.last_seen_at > $3)`,
        [publicIds, now, new Date(now.getTime() - policy.idleMs)],
      );
      return new Set(rows.map((r) => r.public_id));
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
