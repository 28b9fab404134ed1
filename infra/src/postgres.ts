import pg from 'pg';
import { LauncherError } from './kafka-launcher.ts';

/**
 * The role the services connect as (DATABASE_URL): it may read and write the service tables and
 * only insert into and read the audit log. The migrations run as the owner (DATABASE_ADMIN_URL),
 * which creates this role when it is missing and grants it its rights.
 */
export const APP_ROLE = 'liandong_app';
export const DEFAULT_DATABASE_URL = `postgres://${APP_ROLE}@127.0.0.1:5432/liandong`;
export const DEFAULT_DATABASE_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/liandong';

/** The same server and database as another role. */
export function withUser(databaseUrl: string, user: string, password?: string): string {
  const url = new URL(databaseUrl);
  url.username = encodeURIComponent(user);
  url.password = password === undefined ? '' : encodeURIComponent(password);
  return url.toString();
}

/** The role a postgres:// URL connects as. */
export function userOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).username) || 'postgres';
}

/**
 * Where migrations and services connect. `admin` (the tables' owner, for migrations):
 * DATABASE_ADMIN_URL, else DATABASE_URL (as before there were two), else the local default.
 * `app` (the services): DATABASE_URL, else the admin URL's server and database as liandong_app.
 * Given only DATABASE_URL, both are that URL: the services then connect as the owner, which
 * works, but the migrations say so (see 0003_app_role.sql).
 */
export function databaseUrls(env: NodeJS.ProcessEnv = process.env): { admin: string; app: string } {
  const admin = env['DATABASE_ADMIN_URL'] || env['DATABASE_URL'] || DEFAULT_DATABASE_ADMIN_URL;
  const app = env['DATABASE_URL'] || withUser(admin, APP_ROLE);
  return { admin, app };
}

function describeTarget(url: URL): string {
  return `${url.hostname}:${url.port || '5432'}`;
}

/**
 * Makes sure the database named in `databaseUrl` exists, creating it through the server's
 * `postgres` database when it does not. Fails with what to do when the server does not answer.
 */
export async function ensureDatabase(
  databaseUrl: string = DEFAULT_DATABASE_ADMIN_URL,
): Promise<{ created: boolean }> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new LauncherError(
      `PostgreSQL does not answer at ${describeTarget(url)} (${(error as Error).message}). ` +
        'Start it (Debian: pg_ctlcluster --skip-systemctl-redirect 15 main start) or set DATABASE_URL.',
    );
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return { created: false };
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} ENCODING 'UTF8' TEMPLATE template0`);
    return { created: true };
  } catch (error) {
    // Two processes racing to create it: the loser sees duplicate_database (42P04).
    if ((error as { code?: string }).code === '42P04') return { created: false };
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Makes sure the services' role can log in with the password its URL carries (a server that
 * asks for passwords, e.g. a container): creates it when missing and sets that password. With
 * no password in the URL (trust or peer authentication) the migrations create the role.
 */
export async function ensureRolePassword(adminUrl: string, appUrl: string): Promise<void> {
  const password = decodeURIComponent(new URL(appUrl).password);
  if (!password) return;
  const role = userOf(appUrl);
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const literal = client.escapeLiteral(password);
    await client.query(
      found.rowCount
        ? `ALTER ROLE ${client.escapeIdentifier(role)} LOGIN PASSWORD ${literal}`
        : `CREATE ROLE ${client.escapeIdentifier(role)} LOGIN PASSWORD ${literal}`,
    );
  } finally {
    await client.end();
  }
}
