/**
 * pnpm admin — administration from the command line.
 *   keys create --department <code> [--label <text>]   prints the new key once; only its hash is stored
 *   keys list [--department <code>]
 *   keys revoke <key id>
 *   demo-credentials                                   writes .data/demo-credentials.json (local demo only)
 * Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/liandong) and DATABASE_SCHEMA.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPool } from '@liandong/db';
import { dataDir } from '@liandong/infra';
import { createAdminService, type DemoCredentials } from './admin.service.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { department: { type: 'string' }, label: { type: 'string', default: '' } },
});
const pool = createPool({
  url: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/liandong',
  schema: process.env['DATABASE_SCHEMA'] ?? 'public',
  max: 2,
  applicationName: 'liandong-admin',
});
const admin = createAdminService(pool, `cli:${userInfo().username}`);
const [group, command, argument] = positionals;

try {
  if (group === 'keys' && command === 'create') {
    if (!values.department) throw new Error('keys create needs --department <code>');
    const { id, key } = await admin.createKey(values.department, values.label);
    console.log(`key ${id} for ${values.department} (shown once, store it now):\n${key}`);
  } else if (group === 'keys' && command === 'list') {
    console.table(await admin.listKeys(values.department));
  } else if (group === 'keys' && command === 'revoke') {
    if (!argument) throw new Error('keys revoke needs the key id');
    console.log((await admin.revokeKey(argument)) ? `revoked ${argument}` : `no active key ${argument}`);
  } else if (group === 'demo-credentials') {
    const file = join(dataDir(), 'demo-credentials.json');
    const previous = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials)
      : undefined;
    const credentials = await admin.demoCredentials(previous);
    mkdirSync(dataDir(), { recursive: true });
    writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    console.log(`demo credentials in ${file}`);
  } else {
    console.error(
      'usage: pnpm admin keys create --department <code> [--label <text>] | keys list | keys revoke <id> | demo-credentials',
    );
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
