import { describe, expect, it } from 'vitest';
import { afterFailure, blockedFor, type ThrottleRecord } from './throttle.ts';
import { judgeSession } from './session.ts';

const policy = { maxFailures: 3, windowMs: 60_000, blockMs: 300_000 };
const t = (s: number) => new Date(1_780_000_000_000 + s * 1000);

describe('login throttle', () => {
  it('given failures below the limit, then the key may try again; at the limit it is blocked for the block time', () => {
    let record: ThrottleRecord | undefined;
    record = afterFailure(record, t(0), policy);
    record = afterFailure(record, t(10), policy);
    expect(blockedFor(record, t(11))).toBeUndefined();
    record = afterFailure(record, t(20), policy);
    expect(blockedFor(record, t(21))).toBe(299);
    expect(blockedFor(record, t(321))).toBeUndefined();
  });

  it('given failures spread beyond the window, then the count starts again', () => {
    let record = afterFailure(undefined, t(0), policy);
    record = afterFailure(record, t(10), policy);
    record = afterFailure(record, t(100), policy);
    expect(record.failures).toBe(1);
    expect(blockedFor(record, t(101))).toBeUndefined();
  });
});

describe('session expiry', () => {
  const session = { createdAt: t(0), lastSeenAt: t(0), expiresAt: t(12 * 3600) };
  const sessionPolicy = { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000, touchEveryMs: 60_000 };
  it('is valid while used, idle after 30 minutes without a request, expired after 12 hours whatever happens', () => {
    expect(judgeSession(session, t(30), sessionPolicy)).toEqual({ valid: true, touch: false });
    expect(judgeSession(session, t(90), sessionPolicy)).toEqual({ valid: true, touch: true });
    expect(judgeSession(session, t(1800), sessionPolicy)).toEqual({ valid: false, reason: 'idle timeout' });
    expect(judgeSession({ ...session, lastSeenAt: t(12 * 3600 - 10) }, t(12 * 3600), sessionPolicy)).toEqual({
      valid: false,
      reason: 'expired',
    });
  });
});
