/**
 * Who may push: the department key, sent as a bearer token, must be known, not revoked, and of
 * this service's department. Every refusal is counted and audited (refusals alike within a window
 * as one entry, so a flood of bad keys cannot flood the audit log).
 */
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { DepartmentCode } from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import type { KeyIdentity, KeyRepository } from '@liandong/keys';
import type { IngestMetrics } from '../metrics.ts';
import type { RefusalAuditor } from '../adapters/refusal.auditor.ts';

declare module 'fastify' {
  interface FastifyRequest {
    identity?: KeyIdentity;
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function departmentKeyGuard(deps: {
  department: DepartmentCode;
  keys: Pick<KeyRepository, 'authenticate'>;
  metrics: IngestMetrics;
  refusals: RefusalAuditor;
}): onRequestAsyncHookHandler {
  const { department } = deps;
  /** Counts, audits and answers one refusal. */
  async function refuse(
    request: FastifyRequest,
    error: AppError,
    actor: string,
    detail: Record<string, unknown>,
  ): Promise<never> {
    deps.metrics.refused.inc({ reason: error.code });
    await deps.refusals.record({
      actor,
      actorRole: 'department-key',
      action: 'ingest.push',
      target: department,
      outcome: 'refused',
      detail,
      ip: request.ip,
    });
    throw error;
  }

  return async (request) => {
    const key = bearer(request);
    if (!key) {
      deps.metrics.refused.inc({ reason: 'unauthorized' });
      throw new AppError('unauthorized', 'send the department key as "Authorization: Bearer <key>"');
    }
    const identity = await deps.keys.authenticate(key);
    if (!identity)
      return refuse(request, new AppError('unauthorized', 'the key is unknown or revoked'), 'unknown', {
        reason: 'unknown or revoked key',
      });
    if (identity.department !== department)
      return refuse(
        request,
        new AppError(
          'forbidden',
          `this key belongs to department "${identity.department}"; this service takes "${department}" records only`,
        ),
        `key:${identity.keyId}`,
        { reason: 'key of another department', keyDepartment: identity.department },
      );
    request.identity = identity;
  };
}
