import { DEFAULT_DATABASE_ADMIN_URL, userOf } from '@liandong/config';
import pg from 'pg';
import { LauncherError } from './kafka-launcher.ts';

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
