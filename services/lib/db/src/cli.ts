/** pnpm db migrate — creates the database when missing and applies pending migrations. */
import { ensureDatabase, LauncherError } from '@liandong/infra';
import { createPool } from './pool.ts';
import { migrate } from './migrate.ts';

const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/liandong';
const schema = process.env['DATABASE_SCHEMA'] ?? 'public';
const [command] = process.argv.slice(2);

if (command !== 'migrate') {
  console.error('usage: pnpm db migrate');
  process.exit(2);
}
try {
  const { created } = await ensureDatabase(url);
  if (created) console.log(`created database ${new URL(url).pathname.slice(1)}`);
  const pool = createPool({ url, schema, max: 1 });
  try {
    const result = await migrate(pool, { schema });
    console.log(
      result.applied.length
        ? `applied ${result.applied.join(', ')}`
        : `database is up to date (${result.skipped} migrations)`,
    );
  } finally {
    await pool.end();
  }
} catch (error) {
  console.error(error instanceof LauncherError ? `error: ${error.message}` : error);
  process.exitCode = 1;
}
