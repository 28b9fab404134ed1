import { DEPARTMENT_CODES, isDepartmentCode } from '@liandong/contracts';
import { appendAudit, type Pool } from '@liandong/db';
import { AppError } from '@liandong/errors';
import { createKeyRepository } from './key.repository.ts';

export interface KeyActor {
  username: string;
  role: string;
  ip?: string;
}

/**
 * Department keys as an administrator changes them (the hub's admin API, the admin command line):
 * every change goes into the audit log, and a key the audit log does not know of is taken back.
 */
export function createKeyAdministration(pool: Pool) {
  const keys = createKeyRepository(pool, { ttlMs: 0 });
  return {
    async create(department: string, label: string, actor: KeyActor) {
      if (!isDepartmentCode(department)) {
        throw new AppError(
          'validation_failed',
          `unknown department "${department}": use one of ${DEPARTMENT_CODES.join(', ')}`,
          {
            errors: [
              {
                pointer: '/department',
                code: 'invalid_field',
                message: `one of ${DEPARTMENT_CODES.join(', ')}`,
              },
            ],
          },
        );
      }
      const created = await keys.create(department, label, actor.username);
      try {
        await appendAudit(pool, {
          actor: actor.username,
          actorRole: actor.role,
          action: 'ingest.key_created',
          target: department,
          outcome: 'ok',
          detail: { keyId: created.id, label },
          ...(actor.ip ? { ip: actor.ip } : {}),
        });
      } catch (error) {
        // A key the audit trail does not know of must not work: take it back, then fail.
        await keys.revoke(created.id);
        throw error;
      }
      return { ...created, department };
    },
    async revoke(id: string, actor: KeyActor): Promise<boolean> {
      const revoked = await keys.revoke(id);
      await appendAudit(pool, {
        actor: actor.username,
        actorRole: actor.role,
        action: 'ingest.key_revoked',
        target: id,
        outcome: revoked ? 'ok' : 'failed',
        detail: revoked ? {} : { reason: 'no such active key' },
        ...(actor.ip ? { ip: actor.ip } : {}),
      });
      return revoked;
    },
    list: (department?: string) => keys.list(department),
    authenticate: (key: string) => keys.authenticate(key),
  };
}

export type KeyAdministration = ReturnType<typeof createKeyAdministration>;
