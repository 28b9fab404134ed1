/**
 * How the ingest app reads bodies and answers failures: every body is taken as bytes (the route
 * decodes it by its media type), and every failure is an RFC 9457 problem — a bad body a 4xx
 * saying what was wrong, an unavailable dependency a 503 with Retry-After, the unexpected a 500
 * logged in full and told in one line.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_BODY_BYTES, PROBLEM_CONTENT_TYPE } from '@liandong/contracts';
import { AppError, toAppError, toProblem } from '@liandong/errors';

/** Fastify's own errors, as the problem each one is. */
function fromFastify(error: Error & { code?: string; statusCode?: number }): AppError | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new AppError(
      'payload_too_large',
      `the body exceeds ${MAX_BODY_BYTES} bytes (5 MB): split the batch`,
    );
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH')
    return new AppError('malformed_body', error.message);
  if (error.statusCode === 429) return new AppError('rate_limited', error.message);
  return undefined;
}

export function installProblemHandling(app: FastifyInstance, realm: string): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((thrown, request, reply) => {
    const error = thrown as Error & { code?: string; statusCode?: number };
    let appError: AppError;
    if (error instanceof AppError) appError = error;
    else {
      appError = fromFastify(error) ?? toAppError(error);
      if (appError.code === 'internal') request.log.error({ err: error }, 'unexpected error');
    }
    if (appError.code === 'dependency_unavailable')
      request.log.warn({ err: appError }, 'dependency unavailable');
    const problem = toProblem(appError, request.url);
    if (appError.retryAfterSeconds !== undefined)
      void reply.header('Retry-After', String(appError.retryAfterSeconds));
    if (problem.status === 401) void reply.header('WWW-Authenticate', `Bearer realm="${realm}"`);
    void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
}
