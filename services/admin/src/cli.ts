/**
 * pnpm admin — administration from the command line.
 *   keys create --department <code> [--label <text>]   prints the new key once; only its hash is stored
 *   keys list [--department <code>]
 *   keys revoke <key id>
 *   demo-credentials                                   writes .data/demo-credentials.json (local demo only)
 *   audit verify                                       checks the audit log's hash chain and that it still
 *                                                      holds the newest head published on audit-head.v1
 * Uses DATABASE_URL (the services' role, default postgres://liandong_app@127.0.0.1:5432/liandong),
 * DATABASE_SCHEMA, and for audit verify KAFKA_BROKERS and KAFKA_TOPIC_PREFIX.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { namespacedTopic, TOPICS } from '@liandong/contracts';
import { auditLogId, createPool, verifyAudit } from '@liandong/db';
import { databaseUrls, dataDir } from '@liandong/infra';
import { createKafka, readPublishedAuditHead } from '@liandong/kafka';
import { createLogger } from '@liandong/logger';
import { createAdminService, type DemoCredentials } from './admin.service.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { department: { type: 'string' }, label: { type: 'string', default: '' } },
});
const pool = createPool({
  url: databaseUrls(process.env).app,
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
  } else if (group === 'audit' && command === 'verify') {
    const kafka = createKafka({
      brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
      clientId: 'liandong-admin',
      logger: createLogger({ service: 'admin', level: 'warn' }),
    });
    const log = await auditLogId(pool);
    const topic = namespacedTopic(TOPICS.auditHead, process.env['KAFKA_TOPIC_PREFIX'] ?? '');
    const head = await readPublishedAuditHead(kafka, topic, log);
    if (!head) console.warn(`no head of ${log} is published on ${topic} yet: only the chain is checked`);
    const result = await verifyAudit(pool, head ? { head } : {});
    console.log(JSON.stringify(result, null, 2));
    if (!result.ok) process.exitCode = 1;
  } else {
    console.error(
      'usage: pnpm admin keys create --department <code> [--label <text>] | keys list | keys revoke <id> | demo-credentials | audit verify',
    );
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
