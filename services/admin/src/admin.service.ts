import { DEPARTMENT_CODES, isDepartmentCode } from '@liandong/contracts';
import { appendAudit, type Pool } from '@liandong/db';
import { createKeyRepository } from '@liandong/keys';

export interface DemoCredentials {
  users: { username: string; password: string; role: string; department: string | null }[];
  keys: Record<string, string>;
}

/** Department key administration; every change goes into the audit log. */
export function createAdminService(pool: Pool, actor: string) {
  const keys = createKeyRepository(pool, { ttlMs: 0 });
  return {
    async createKey(department: string, label: string) {
      if (!isDepartmentCode(department)) {
        throw new Error(`unknown department "${department}": use one of ${DEPARTMENT_CODES.join(', ')}`);
      }
      const created = await keys.create(department, label, actor);
      try {
        await appendAudit(pool, {
          actor,
          actorRole: 'admin',
          action: 'ingest.key_created',
          target: department,
          outcome: 'ok',
          detail: { keyId: created.id, label },
        });
      } catch (error) {
        // A key the audit trail does not know of must not work: take it back, then fail.
        await keys.revoke(created.id);
        throw error;
      }
      return created;
    },
    async revokeKey(id: string) {
      const revoked = await keys.revoke(id);
      await appendAudit(pool, {
        actor,
        actorRole: 'admin',
        action: 'ingest.key_revoked',
        target: id,
        outcome: revoked ? 'ok' : 'failed',
        detail: revoked ? {} : { reason: 'no such active key' },
      });
      return revoked;
    },
    listKeys: (department?: string) => keys.list(department),
    /** A key per department for the local demo, reusing those of an earlier demo that still work. */
    async demoCredentials(previous: DemoCredentials | undefined): Promise<DemoCredentials> {
      const result: DemoCredentials = { users: previous?.users ?? [], keys: {} };
      for (const department of DEPARTMENT_CODES) {
        const earlier = previous?.keys[department];
        if (earlier && (await keys.authenticate(earlier))?.department === department) {
          result.keys[department] = earlier;
          continue;
        }
        result.keys[department] = (await this.createKey(department, 'local demo')).key;
      }
      return result;
    },
  };
}
