/** Session expiry: idle and absolute. Pure. */

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
  /** last_seen_at is written at most this often (a write per request would cost more than it tells). */
  touchEveryMs: number;
}

export type SessionVerdict =
  { valid: true; touch: boolean } | { valid: false; reason: 'idle timeout' | 'expired' };

export function judgeSession(session: SessionTimes, now: Date, policy: SessionPolicy): SessionVerdict {
  if (now >= session.expiresAt) return { valid: false, reason: 'expired' };
  if (now.getTime() - session.lastSeenAt.getTime() >= policy.idleMs)
    return { valid: false, reason: 'idle timeout' };
  return { valid: true, touch: now.getTime() - session.lastSeenAt.getTime() >= policy.touchEveryMs };
}
