/** Login throttling per username and per address: after too many failures in a window, a block. Pure. */

export interface ThrottleRecord {
  failures: number;
  windowStartedAt: Date;
  blockedUntil: Date | null;
}

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  blockMs: number;
}

/** Seconds until the key may try again, or undefined when it may try now. */
export function blockedFor(record: ThrottleRecord | undefined, now: Date): number | undefined {
  if (!record?.blockedUntil || record.blockedUntil <= now) return undefined;
  return Math.max(1, Math.ceil((record.blockedUntil.getTime() - now.getTime()) / 1000));
}

/** The record after one more failure: a new window when the old one ended, a block at the limit. */
export function afterFailure(
  record: ThrottleRecord | undefined,
  now: Date,
  policy: ThrottlePolicy,
): ThrottleRecord {
  const fresh = !record || now.getTime() - record.windowStartedAt.getTime() > policy.windowMs;
  const failures = fresh ? 1 : record.failures + 1;
  return {
    failures,
    windowStartedAt: fresh ? now : record.windowStartedAt,
    blockedUntil:
      failures >= policy.maxFailures
        ? new Date(now.getTime() + policy.blockMs)
        : (record?.blockedUntil ?? null),
  };
}
