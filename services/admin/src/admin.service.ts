import { DEPARTMENT_CODES, departmentEntry, UNIT_CODES, type Role, type UnitCode } from '@liandong/contracts';
import type { Pool } from '@liandong/db';
import { createKeyAdministration } from '@liandong/keys';
import { verifyPassword, type UserActor, type UserRepository } from '@liandong/users';

export interface DemoCredentials {
  users: { username: string; password: string; role: string; department: string | null }[];
  keys: Record<string, string>;
}

export const DEMO_KEY_LABEL = 'local demo';

/** Department key administration from the command line; every change goes into the audit log. */
export function createAdminService(pool: Pool, actor: string) {
  const keys = createKeyAdministration(pool);
  const who = { username: actor, role: 'admin' };
  return {
    createKey: (department: string, label: string) => keys.create(department, label, who),
    revokeKey: (id: string) => keys.revoke(id, who),
    /** The keys, each marked when it is the one `demo` (the demo credentials file) holds. */
    async listKeys(department?: string, demo?: DemoCredentials) {
      const demoIds = new Set<string>();
      for (const key of Object.values(demo?.keys ?? {})) {
        const identity = await keys.authenticate(key);
        if (identity) demoIds.add(identity.keyId);
      }
      return (await keys.list(department)).map((k) => ({ ...k, demo: demoIds.has(k.id) }));
    },
    /**
     * A key per department for the local demo, reusing those of an earlier demo that still work.
     * Every other active key labelled `local demo` of the department is revoked (audited): a demo
     * whose credentials file is gone (a fresh clone) left keys nobody holds.
     */
    async demoKeys(previous: DemoCredentials | undefined): Promise<Record<string, string>> {
      const result: Record<string, string> = {};
      for (const department of DEPARTMENT_CODES) {
        const earlier = previous?.keys[department];
        const identity = earlier ? await keys.authenticate(earlier) : undefined;
        let keptId: string;
        if (earlier && identity?.department === department) {
          result[department] = earlier;
          keptId = identity.keyId;
        } else {
          const created = await keys.create(department, DEMO_KEY_LABEL, who);
          result[department] = created.key;
          keptId = created.id;
        }
        for (const stale of await keys.list(department))
          if (stale.label === DEMO_KEY_LABEL && !stale.revokedAt && stale.id !== keptId)
            await keys.revoke(stale.id, who);
      }
      return result;
    },
  };
}

/**
 * The local demo's people: an operator, an analyst, an admin and a liaison for every unit. A
 * user of an earlier demo whose password still works is kept; one missing is created; one whose
 * password no longer works is reset.
 */
export async function demoUsers(
  users: UserRepository,
  previous: DemoCredentials | undefined,
  actor: UserActor,
): Promise<DemoCredentials['users']> {
  const wanted: { username: string; role: Role; department: UnitCode | null }[] = [
    { username: 'operator', role: 'operator', department: null },
    { username: 'analyst', role: 'analyst', department: null },
    { username: 'admin', role: 'admin', department: null },
    ...UNIT_CODES.map((unit) => ({
      username: `liaison-${unit}`,
      role: 'liaison' as const,
      department: unit,
    })),
  ];
  const result: DemoCredentials['users'] = [];
  for (const want of wanted) {
    const earlier = previous?.users.find((u) => u.username === want.username);
    const existing = await users.findByUsername(want.username);
    let password: string;
    if (
      existing &&
      earlier &&
      !existing.disabled &&
      (await verifyPassword(existing.passwordHash, earlier.password))
    )
      password = earlier.password;
    else if (existing) {
      if (existing.disabled) await users.update(want.username, { disabled: false }, actor);
      password = (await users.resetPassword(want.username, actor)).password;
    } else
      password =
        (
          await users.create(
            {
              username: want.username,
              role: want.role,
              displayName: want.department
                ? `${departmentEntry(want.department).name.zh}联络员`
                : DISPLAY[want.role],
              ...(want.department ? { department: want.department } : {}),
            },
            actor,
          )
        ).password ?? '';
    result.push({ username: want.username, password, role: want.role, department: want.department });
  }
  return result;
}

const DISPLAY: Record<Role, string> = {
  operator: '值班员',
  liaison: '联络员',
  analyst: '分析员',
  admin: '管理员',
};
