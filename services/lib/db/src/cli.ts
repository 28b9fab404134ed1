/**
 * pnpm db migrate — creates the database when missing and applies pending migrations, as the
 * owner (DATABASE_ADMIN_URL), granting the services' role (the user of DATABASE_URL) its rights.
 */
import { databaseRolesEnv, databaseUrls, loadConfigOrExit, userOf } from '@liandong/config';
import { ensureDatabase, LauncherError } from '@liandong/infra';
import { Type } from '@sinclair/typebox';
import { createPool } from './pool.ts';
import { migrate } from './migrate.ts';

const config = loadConfigOrExit(Type.Object(databaseRolesEnv));
const { admin, app } = databaseUrls(config);
const schema = config.DATABASE_SCHEMA;
const [command] = process.argv.slice(2);

if (command !== 'migrate') {
  console.error('usage: pnpm db migrate');
  process.exit(2);
}
try {
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
} catch (error) {
  const failed = error as { cause?: { code?: string }; code?: string };
  const code = failed.code ?? failed.cause?.code;
  console.error(
    error instanceof LauncherError
      ? `error: ${error.message}`
      : code === '42501'
        ? `error: ${(error as Error).message}. Migrations run as the owner of the tables (a role that may create them): set DATABASE_ADMIN_URL to that role's URL`
        : error,
  );
  process.exitCode = 1;
}
