import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { APP_ROLE } from '@liandong/config';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `NNNN_name.sql` files in order; anything else in the folder is an error, not silently skipped. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .sort();
  return files.map((file) => {
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`migration file "${file}" in ${dir} is not named NNNN_name.sql`);
    const sql = readFileSync(join(dir, file), 'utf8');
    return {
      version: match[1] as string,
      name: match[2] as string,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    };
  });
}

export interface MigrateResult {
  applied: string[];
  skipped: number;
}

/**
 * Applies pending migrations to `schema`, each in its own transaction, recorded in
 * `schema_migrations` with a checksum. Safe to run twice and from several processes at once (an
 * advisory lock serializes them). A migration edited after it was applied stops the run.
 * Run it as the owner of the tables; `appRole` is the role the services connect as, which the
 * migrations grant what the services need, and no more (`liandong.app_role` in the SQL).
 */
export async function migrate(
  pool: pg.Pool,
  options: { schema?: string; migrations?: Migration[]; appRole?: string } = {},
): Promise<MigrateResult> {
  const schema = options.schema ?? 'public';
  const appRole = options.appRole ?? APP_ROLE;
  const migrations = options.migrations ?? readMigrations();
  const client = await pool.connect();
  try {
    // Lock first: CREATE SCHEMA IF NOT EXISTS itself races between two processes.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`liandong.migrate.${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
      await client.query(`SET search_path TO ${client.escapeIdentifier(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = new Map(
        (
          await client.query<{ version: string; checksum: string }>(
            'SELECT version, checksum FROM schema_migrations',
          )
        ).rows.map((r) => [r.version, r.checksum]),
      );
      const applied: string[] = [];
      for (const migration of migrations) {
        const checksum = done.get(migration.version);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new Error(
              `migration ${migration.version}_${migration.name} was changed after it was applied to schema "${schema}"; ` +
                'write a new migration instead of editing an applied one',
            );
          }
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query("SELECT set_config('liandong.app_role', $1, true)", [appRole]);
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(
            `migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        applied.push(`${migration.version}_${migration.name}`);
      }
      return { applied, skipped: migrations.length - applied.length };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`liandong.migrate.${schema}`]);
    }
  } finally {
    client.release();
  }
}
