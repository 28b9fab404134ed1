import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '@liandong/contracts';
import { AppError, toAppError, toProblem } from '@liandong/errors';
import type { AuditEntryInput } from '@liandong/db';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the handler wrote its own audit entry for a refusal (login), so it is not written twice. */
    refusalAudited?: boolean;
  }
}

interface ValidationIssue {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** A fastify schema-validation failure as problem details naming each field. */
function validationError(
  error: FastifyError & { validation?: ValidationIssue[]; validationContext?: string },
) {
  const where = error.validationContext ?? 'body';
  const errors = (error.validation ?? []).map((issue) => {
    const missing =
      typeof issue.params?.['missingProperty'] === 'string' ? `/${issue.params['missingProperty']}` : '';
    const extra =
      typeof issue.params?.['additionalProperty'] === 'string'
        ? `/${issue.params['additionalProperty']}`
        : '';
    const allowed = Array.isArray(issue.params?.['allowedValues'])
      ? `: one of ${(issue.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
      : '';
    return {
      pointer: `${issue.instancePath}${missing}${extra}` || '/',
      code: 'invalid_field',
      message: `${where}: ${extra ? 'is not a known field' : (issue.message ?? 'is not valid')}${allowed}`,
    };
  });
  return new AppError('validation_failed', `the request's ${where} is not valid`, { errors });
}

/**
 * The one mapping of errors to RFC 9457 problem details. Refusals (401, 403) are written to the
 * audit log with who asked for what.
 */
export function installErrorHandling(
  app: FastifyInstance,
  audit: (entry: AuditEntryInput) => Promise<unknown>,
  /** Serves the console's page for unknown non-API GETs (client-side routes). */
  consoleFallback?: (reply: FastifyReply) => FastifyReply,
) {
  async function send(appError: AppError, request: FastifyRequest, reply: FastifyReply) {
    const problem = toProblem(appError, request.url);
    if ((problem.status === 401 || problem.status === 403) && !request.refusalAudited) {
      try {
        await audit({
          actor: request.principal?.username ?? 'anonymous',
          actorRole: request.principal?.role ?? 'anonymous',
          action: 'access.refused',
          target: `${request.method} ${request.routeOptions.url ?? request.url}`,
          outcome: 'refused',
          detail: { status: problem.status, reason: appError.message },
          ip: request.ip,
        });
      } catch (error) {
        request.log.error({ err: error }, 'could not write the refusal to the audit log');
      }
    }
    if (appError.retryAfterSeconds !== undefined)
      void reply.header('Retry-After', String(appError.retryAfterSeconds));
    return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  }

  app.setErrorHandler(async (thrown: FastifyError & { validation?: ValidationIssue[] }, request, reply) => {
    let appError: AppError;
    if (thrown instanceof AppError) appError = thrown;
    else if (thrown.validation) appError = validationError(thrown);
    else if (thrown.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      appError = new AppError('unsupported_media_type', 'send the body as application/json');
    else if (thrown.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      appError = new AppError('payload_too_large', thrown.message);
    else if (thrown.statusCode === 400) appError = new AppError('malformed_body', thrown.message);
    else if (thrown.statusCode === 429) appError = new AppError('rate_limited', thrown.message);
    else {
      appError = toAppError(thrown);
      if (appError.code === 'internal') request.log.error({ err: thrown }, 'unexpected error');
      if (appError.code === 'dependency_unavailable')
        request.log.warn({ err: thrown }, 'dependency unavailable');
    }
    return send(appError, request, reply);
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (consoleFallback && request.method === 'GET' && !request.url.startsWith('/api/'))
      return consoleFallback(reply);
    return send(
      new AppError('not_found', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
      request,
      reply,
    );
  });
}
