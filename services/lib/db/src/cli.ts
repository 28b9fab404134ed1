/**
 * pnpm db migrate — creates the database when missing and applies pending migrations, as the
 * owner (DATABASE_ADMIN_URL), granting the services' role (the user of DATABASE_URL) its rights.
 */
import { databaseRolesEnv, databaseUrls, loadConfigOrExit, userOf } from '@liandong/config';
import { ensureDatabase, runCommand, UsageError } from '@liandong/infra';
import { Type } from '@sinclair/typebox';
import { createPool } from './pool.ts';
import { migrate } from './migrate.ts';

const USAGE = `usage: pnpm db migrate

  migrate   create the database when missing and apply pending migrations (as DATABASE_ADMIN_URL,
            the owner), granting the services' role (the user of DATABASE_URL) its rights

Environment: DATABASE_ADMIN_URL, DATABASE_URL, DATABASE_SCHEMA
Exit status: 0 done, 1 it failed, 2 a usage mistake.`;

await runCommand('pnpm db', USAGE, async ([command, ...rest]) => {
  if (command !== 'migrate' || rest.length > 0)
    throw new UsageError(command ? `unknown command "${[command, ...rest].join(' ')}"` : 'name a command');
  const config = loadConfigOrExit(Type.Object(databaseRolesEnv));
  const { admin, app } = databaseUrls(config);
  const schema = config.DATABASE_SCHEMA;
  try {
    await migrateAll(admin, app, schema);
  } catch (error) {
    const failed = error as { cause?: { code?: string }; code?: string };
    if ((failed.code ?? failed.cause?.code) === '42501')
      throw new Error(
        `${(error as Error).message}. Migrations run as the owner of the tables (a role that may create them): set DATABASE_ADMIN_URL to that role's URL`,
      );
    throw error;
  }
});

async function migrateAll(admin: string, app: string, schema: string): Promise<void> {
  const { created } = await ensureDatabase(admin);
  if (created) console.log(`created database ${new URL(admin).pathname.slice(1)}`);
  const appRole = userOf(app);
  if (appRole === userOf(admin)) {
    console.warn(
      `warning: the services (DATABASE_URL) and the migrations use the same role "${appRole}": as the owner of ` +
        'the audit log, the services could disable its append-only triggers. Set DATABASE_ADMIN_URL to the ' +
        "owner's URL and DATABASE_URL to the services' role (liandong_app)",
    );
  }
  const pool = createPool({ url: admin, schema, max: 1 });
  try {
    const result = await migrate(pool, { schema, appRole });
    console.log(
      result.applied.length
        ? `applied ${result.applied.join(', ')}`
        : `database is up to date (${result.skipped} migrations)`,
    );
  } finally {
    await pool.end();
  }
}
