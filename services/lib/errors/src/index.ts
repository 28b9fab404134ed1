import { PROBLEM_TYPE_BASE, type Problem, type ProblemFieldError } from '@liandong/contracts';

/** The stable error codes, with what each means to HTTP and to a retrying consumer. */
export const ERROR_CODES = {
  validation_failed: { status: 400, retriable: false, title: 'The input is not valid' },
  malformed_body: { status: 400, retriable: false, title: 'The body could not be parsed' },
  unsafe_xml: { status: 400, retriable: false, title: 'The XML document uses forbidden constructs' },
  unauthorized: { status: 401, retriable: false, title: 'Authentication is required' },
  forbidden: { status: 403, retriable: false, title: 'Not allowed' },
  not_found: { status: 404, retriable: false, title: 'Not found' },
  conflict: { status: 409, retriable: false, title: 'Conflict' },
  payload_too_large: { status: 413, retriable: false, title: 'The body is too large' },
  unsupported_media_type: { status: 415, retriable: false, title: 'Unsupported media type' },
  rate_limited: { status: 429, retriable: true, title: 'Too many requests' },
  internal: { status: 500, retriable: false, title: 'Internal error' },
  upstream_failed: { status: 502, retriable: true, title: 'An upstream source failed' },
  dependency_unavailable: { status: 503, retriable: true, title: 'A dependency is unavailable' },
  decode_failed: { status: 400, retriable: false, title: 'The message could not be decoded' },
  contract_violation: { status: 400, retriable: false, title: 'The message does not match its contract' },
} as const satisfies Record<string, { status: number; retriable: boolean; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  errors?: ProblemFieldError[];
  cause?: unknown;
  /** Seconds a client should wait before retrying (503, 429). */
  retryAfterSeconds?: number;
  /** Overrides the code's default. */
  retriable?: boolean;
}

/** The one base error. Domain code throws it; the HTTP layer and the Kafka runner map it. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly errors: ProblemFieldError[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retriable = options.retriable ?? ERROR_CODES[code].retriable;
    this.errors = options.errors ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Wraps anything thrown into an AppError; unknown errors become `internal`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('internal', message, { cause: error });
}

/** The single mapping to HTTP: RFC 9457 problem details. */
export function toProblem(error: unknown, instance?: string): Problem {
  const appError = toAppError(error);
  const entry = ERROR_CODES[appError.code];
  const problem: Problem = {
    type: `${PROBLEM_TYPE_BASE}${appError.code.replaceAll('_', '-')}`,
    title: entry.title,
    status: entry.status,
    detail:
      appError.code === 'internal' ? 'An unexpected error occurred; it has been logged.' : appError.message,
    code: appError.code,
    retriable: appError.retriable,
  };
  if (instance !== undefined) problem.instance = instance;
  if (appError.errors.length > 0) problem.errors = appError.errors;
  return problem;
}

export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, initialDelayMs: 200, maxDelayMs: 30_000 };

export type RetryDecision = { action: 'retry'; delayMs: number } | { action: 'dead-letter'; reason: string };

/**
 * The project's one back-off: the delay before retry `attempt` (1 for the first retry) grows
 * exponentially from `initialDelayMs` up to `maxDelayMs`, with equal jitter (half the ceiling
 * fixed, half random) so that clients failing together do not retry together.
 */
export function backoffDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'> = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (Math.max(1, attempt) - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Longest wait between two tries while a dependency is away (below Kafka's session timeout). */
export const MAX_DEPENDENCY_WAIT_MS = 5000;

/**
 * The single mapping to a retrying consumer: retriable errors are retried with exponential
 * back-off (backoffDelayMs) until `maxAttempts`, everything else is dead-lettered — except an
 * unavailable dependency (the database, the broker). That says nothing about the message, and
 * dead-lettering it would take a good message out of the consumer's store for good: it is retried
 * until the dependency is back, each wait at most its Retry-After (and MAX_DEPENDENCY_WAIT_MS).
 */
export function decideRetry(
  error: unknown,
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): RetryDecision {
  const appError = toAppError(error);
  if (!appError.retriable) return { action: 'dead-letter', reason: appError.code };
  if (appError.code === 'dependency_unavailable') {
    const cap = Math.min(
      policy.maxDelayMs,
      MAX_DEPENDENCY_WAIT_MS,
      (appError.retryAfterSeconds ?? Number.POSITIVE_INFINITY) * 1000,
    );
    return { action: 'retry', delayMs: backoffDelayMs(attempt, { ...policy, maxDelayMs: cap }, random) };
  }
  if (attempt >= policy.maxAttempts) return { action: 'dead-letter', reason: 'retries_exhausted' };
  return { action: 'retry', delayMs: backoffDelayMs(attempt, policy, random) };
}
