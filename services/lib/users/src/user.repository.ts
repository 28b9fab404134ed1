import {
  isUnitCode,
  UNIT_CODES,
  type CreateUserRequest,
  type Role,
  type UnitCode,
  type User,
} from '@liandong/contracts';
import { appendAuditWith, inTransaction, toDatabaseError, type Pool, type PoolClient } from '@liandong/db';
import { AppError } from '@liandong/errors';
import { generatePassword, hashPassword } from './password.ts';

/** Who is doing it, for the audit log: a signed-in admin, or the admin command line. */
export interface UserActor {
  username: string;
  role: string;
  ip?: string;
}

export interface StoredUser extends User {
  passwordHash: string;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  unit: UnitCode | null;
  password_hash: string;
  created_at: Date;
  disabled_at: Date | null;
  last_login_at: Date | null;
}

function toUser(row: UserRow): StoredUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    department: row.unit,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at.toISOString(),
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    passwordHash: row.password_hash,
  };
}

export function publicUser(user: StoredUser): User {
  const { passwordHash: _hash, ...rest } = user;
  return rest;
}

/** A liaison is bound to exactly one unit; no other role has one. */
export function checkRoleAndUnit(role: Role, department: string | undefined | null): UnitCode | null {
  if (role === 'liaison') {
    if (!department)
      throw new AppError('validation_failed', 'a liaison needs a department (the unit it acts for)', {
        errors: [{ pointer: '/department', code: 'required', message: `one of ${UNIT_CODES.join(', ')}` }],
      });
    if (!isUnitCode(department))
      throw new AppError('validation_failed', `unknown unit "${department}"`, {
        errors: [
          { pointer: '/department', code: 'invalid_field', message: `one of ${UNIT_CODES.join(', ')}` },
        ],
      });
    return department;
  }
  if (department)
    throw new AppError('validation_failed', `a ${role} is not bound to a department; leave it out`, {
      errors: [{ pointer: '/department', code: 'invalid_field', message: 'only liaisons have a department' }],
    });
  return null;
}

const END_SESSIONS = `UPDATE sessions SET ended_at = now(), ended_reason = $2 WHERE user_id = $1 AND ended_at IS NULL`;

/**
 * Users: created, listed, disabled and re-enabled, passwords reset or changed. Every change is
 * written to the audit log in the same transaction; disabling a user or resetting a password
 * ends every session of that user at once.
 */
export function createUserRepository(pool: Pool) {
  async function audit(client: PoolClient, actor: UserActor, action: string, target: string, detail = {}) {
    await appendAuditWith(client, {
      actor: actor.username,
      actorRole: actor.role,
      action,
      target,
      outcome: 'ok',
      detail,
      ...(actor.ip ? { ip: actor.ip } : {}),
    });
  }

  async function byUsername(client: Pool | PoolClient, username: string): Promise<StoredUser | undefined> {
    const { rows } = await client.query<UserRow>('SELECT * FROM users WHERE username = $1', [username]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async function mustFind(client: Pool | PoolClient, username: string): Promise<StoredUser> {
    const user = await byUsername(client, username);
    if (!user) throw new AppError('not_found', `no user "${username}"`);
    return user;
  }

  return {
    findByUsername: (username: string) => byUsername(pool, username),

    async findById(id: string): Promise<StoredUser | undefined> {
      const { rows } = await pool.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
      return rows[0] ? toUser(rows[0]) : undefined;
    },

    async list(): Promise<User[]> {
      const { rows } = await pool.query<UserRow>(
        'SELECT * FROM users ORDER BY role, unit NULLS FIRST, username',
      );
      return rows.map((r) => publicUser(toUser(r)));
    },

    /** Creates a user; without a password one is generated and returned (shown once). */
    async create(request: CreateUserRequest, actor: UserActor): Promise<{ user: User; password?: string }> {
      const unit = checkRoleAndUnit(request.role, request.department);
      const password = request.password ?? generatePassword();
      const passwordHash = await hashPassword(password);
      try {
        return await inTransaction(pool, async (client) => {
          const { rows } = await client.query<UserRow>(
            `INSERT INTO users (username, display_name, role, unit, password_hash, created_by)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
            [request.username, request.displayName ?? '', request.role, unit, passwordHash, actor.username],
          );
          const user = publicUser(toUser(rows[0] as UserRow));
          await audit(client, actor, 'user.created', user.username, { role: user.role, department: unit });
          return request.password ? { user } : { user, password };
        });
      } catch (error) {
        if ((error as { code?: string }).code === '23505')
          throw new AppError('conflict', `a user "${request.username}" exists already`);
        if (error instanceof AppError) throw error;
        throw toDatabaseError(error);
      }
    },

    /** Disables (ending every session) or re-enables a user; also renames its display name. */
    async update(
      username: string,
      change: { disabled?: boolean; displayName?: string },
      actor: UserActor,
    ): Promise<User> {
      if (change.disabled && username === actor.username)
        throw new AppError('conflict', 'you cannot disable yourself; ask another admin');
      return inTransaction(pool, async (client) => {
        const before = await mustFind(client, username);
        if (change.displayName !== undefined)
          await client.query('UPDATE users SET display_name = $2 WHERE id = $1', [
            before.id,
            change.displayName,
          ]);
        if (change.disabled === true && !before.disabled) {
          await client.query('UPDATE users SET disabled_at = now() WHERE id = $1', [before.id]);
          await client.query(END_SESSIONS, [before.id, 'user disabled']);
          await audit(client, actor, 'user.disabled', username);
        } else if (change.disabled === false && before.disabled) {
          await client.query('UPDATE users SET disabled_at = NULL WHERE id = $1', [before.id]);
          await audit(client, actor, 'user.enabled', username);
        }
        if (change.displayName !== undefined && change.displayName !== before.displayName)
          await audit(client, actor, 'user.renamed', username);
        return publicUser(await mustFind(client, username));
      });
    },

    /** Sets a new (generated) password and ends every session of the user. */
    async resetPassword(username: string, actor: UserActor): Promise<{ user: User; password: string }> {
      const password = generatePassword();
      const passwordHash = await hashPassword(password);
      return inTransaction(pool, async (client) => {
        const user = await mustFind(client, username);
        await client.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
          user.id,
          passwordHash,
        ]);
        await client.query(END_SESSIONS, [user.id, 'password reset']);
        await audit(client, actor, 'user.password_reset', username);
        return { user: publicUser(user), password };
      });
    },

    /** The user's own change; other sessions of the user end, the current one stays. */
    async changePassword(userId: string, newPassword: string, actor: UserActor, keepSession: Buffer) {
      const passwordHash = await hashPassword(newPassword);
      await inTransaction(pool, async (client) => {
        await client.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
          userId,
          passwordHash,
        ]);
        await client.query(
          `UPDATE sessions SET ended_at = now(), ended_reason = 'password changed'
           WHERE user_id = $1 AND ended_at IS NULL AND token_hash <> $2`,
          [userId, keepSession],
        );
        await audit(client, actor, 'user.password_changed', actor.username);
      });
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
