import { describe, expect, it } from 'vitest';
import { AppError, backoffDelayMs, decideRetry, toProblem } from './index.ts';

describe('toProblem', () => {
  it('maps a validation error to a 400 problem with its field errors', () => {
    const error = new AppError('validation_failed', 'record 2 is not valid', {
      errors: [{ index: 2, pointer: '/occurredAt', code: 'invalid_field', message: 'must be a date-time' }],
    });
    const problem = toProblem(error, '/v1/events');
    expect(problem).toMatchObject({
      status: 400,
      code: 'validation_failed',
      retriable: false,
      instance: '/v1/events',
      type: 'https://liandong.example/problems/validation-failed',
    });
    expect(problem.errors).toHaveLength(1);
  });

  it('hides the message of unexpected errors', () => {
    const problem = toProblem(new Error('password=secret in connection string'));
    expect(problem.status).toBe(500);
    expect(problem.detail).not.toContain('secret');
  });
});

describe('decideRetry', () => {
  it('dead-letters what can never succeed at once', () => {
    expect(decideRetry(new AppError('contract_violation', 'bad'), 1)).toEqual({
      action: 'dead-letter',
      reason: 'contract_violation',
    });
  });

  it('given an unavailable dependency, when tried again and again, then it never gives up and waits at most its Retry-After', () => {
    const policy = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 30_000 };
    const error = new AppError('dependency_unavailable', 'db down', { retryAfterSeconds: 2 });
    expect(decideRetry(error, 1, policy, () => 1)).toEqual({ action: 'retry', delayMs: 100 });
    expect(decideRetry(error, 3, policy, () => 1)).toEqual({ action: 'retry', delayMs: 400 });
    expect(decideRetry(error, 1000, policy, () => 1)).toEqual({ action: 'retry', delayMs: 2000 });
    const noHint = new AppError('dependency_unavailable', 'broker away');
    expect(decideRetry(noHint, 1000, policy, () => 1)).toEqual({ action: 'retry', delayMs: 5000 });
  });

  it('backs off exponentially, then gives up', () => {
    const policy = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 };
    const error = new AppError('upstream_failed', 'upstream answered 502');
    expect(decideRetry(error, 1, policy, () => 1)).toEqual({ action: 'retry', delayMs: 100 });
    expect(decideRetry(error, 2, policy, () => 1)).toEqual({ action: 'retry', delayMs: 200 });
    expect(decideRetry(error, 2, policy, () => 0)).toEqual({ action: 'retry', delayMs: 100 });
    expect(decideRetry(error, 3, policy)).toEqual({ action: 'dead-letter', reason: 'retries_exhausted' });
  });
});

describe('backoffDelayMs', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1000 };
  it('doubles from the initial delay up to the cap, with equal jitter (half fixed, half random)', () => {
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelayMs(a, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });
});
