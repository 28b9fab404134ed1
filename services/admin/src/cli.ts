/**
 * pnpm admin — administration from the command line.
 *   keys create --department <code> [--label <text>]   prints the new key once; only its hash is stored
 *   keys list [--department <code>]                    the "demo" column marks the keys in .data/demo-credentials.json
 *   keys revoke <key id>                               exit 1 when no active key has that id
 *   users create --username <name> --role <operator|liaison|analyst|admin> [--department <unit>] [--display-name <text>]
 *                                                       prints a generated password once
 *   users list
 *   users disable <username> | users enable <username> (disabling ends the user's sessions)
 *   users reset <username>                             prints a new generated password once; ends the user's sessions
 *   demo-credentials                                   demo users and keys in .data/demo-credentials.json (local demo only)
 *   audit verify [--json]                              checks the audit log's hash chain and that it still
 *                                                      holds the newest head published on audit-head.v1;
 *                                                      prints intact or the first broken entry (exit 1)
 * Exit status: 0 done, 1 it failed (named in one line), 2 a usage mistake.
 * Uses DATABASE_URL (the services' role, defaults as in @liandong/config's databaseUrls),
 * DATABASE_SCHEMA, and for audit verify KAFKA_BROKERS and KAFKA_TOPIC_PREFIX: read by loadConfig only.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEPARTMENT_CODES,
  namespacedTopic,
  ROLES,
  TOPICS,
  type Role,
  type UnitCode,
} from '@liandong/contracts';
import { auditLogId, createPool, verifyAudit } from '@liandong/db';
import { Type } from '@sinclair/typebox';
import {
  brokerList,
  databaseRolesEnv,
  databaseUrls,
  kafkaEnv,
  loadConfigOrExit,
  topicPrefixEnv,
} from '@liandong/config';
import { dataDir } from '@liandong/infra';
import { createKafka, readPublishedAuditHead } from '@liandong/kafka';
import { createLogger } from '@liandong/logger';
import { createUserRepository } from '@liandong/users';
import { createAdminService, demoUsers, type DemoCredentials } from './admin.service.ts';

const USAGE = `usage: pnpm admin <command>

  keys create --department <code> [--label <text>]   a new department key, printed once (only its hash is kept)
  keys list [--department <code>]                    the keys; "demo" marks those in .data/demo-credentials.json
  keys revoke <key id>                               takes a key back (its id from keys list)
  users create --username <name> --role <${ROLES.join('|')}> [--department <unit>] [--display-name <text>]
                                                     a new user; a generated password is printed once
  users list | users disable <username> | users enable <username> | users reset <username>
  demo-credentials                                   demo users and keys for the local demo (.data/demo-credentials.json)
  audit verify [--json]                              the audit log's chain and the head published on Kafka

Departments: ${DEPARTMENT_CODES.join(', ')}
Environment: DATABASE_URL, DATABASE_SCHEMA, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, LIANDONG_DATA_DIR
Exit status: 0 done, 1 it failed, 2 a usage mistake.`;

/** A user's mistake on the command line: one line, the usage, exit 2. */
class UsageError extends Error {}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        department: { type: 'string' },
        label: { type: 'string', default: '' },
        username: { type: 'string' },
        role: { type: 'string' },
        'display-name': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`pnpm admin: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}
const { positionals, values } = parse();
if (values.help || positionals[0] === 'help') {
  console.log(USAGE);
  process.exit(0);
}
const config = loadConfigOrExit(Type.Object({ ...databaseRolesEnv, ...kafkaEnv, ...topicPrefixEnv }));
const pool = createPool({
  url: databaseUrls(config).app,
  schema: config.DATABASE_SCHEMA,
  max: 2,
  applicationName: 'liandong-admin',
});
const actor = `cli:${userInfo().username}`;
const admin = createAdminService(pool, actor);
const users = createUserRepository(pool);
const who = { username: actor, role: 'admin' };
const [group, command, argument] = positionals;

try {
  const demoFile = join(dataDir(), 'demo-credentials.json');
  const readDemo = () =>
    existsSync(demoFile) ? (JSON.parse(readFileSync(demoFile, 'utf8')) as DemoCredentials) : undefined;
  if (group === 'keys' && command === 'create') {
    if (!values.department) throw new UsageError('keys create needs --department <code>');
    const { id, key } = await admin.createKey(values.department, values.label);
    console.log(`key ${id} for ${values.department} (shown once, store it now):\n${key}`);
  } else if (group === 'keys' && command === 'list') {
    console.table(await admin.listKeys(values.department, readDemo()));
  } else if (group === 'keys' && command === 'revoke') {
    if (!argument) throw new UsageError('keys revoke needs the key id (pnpm admin keys list shows them)');
    if (!UUID.test(argument))
      throw new UsageError(
        `"${argument}" is not a key id: key ids are UUIDs (pnpm admin keys list shows them)`,
      );
    if (await admin.revokeKey(argument)) console.log(`revoked ${argument}`);
    else throw new Error(`no active key ${argument} (already revoked, or never issued)`);
  } else if (group === 'users' && command === 'create') {
    if (!values.username || !values.role) throw new UsageError('users create needs --username and --role');
    if (!(ROLES as readonly string[]).includes(values.role))
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const { user, password } = await users.create(
      {
        username: values.username,
        role: values.role as Role,
        ...(values.department ? { department: values.department as UnitCode } : {}),
        ...(values['display-name'] ? { displayName: values['display-name'] } : {}),
      },
      who,
    );
    console.log(
      `user ${user.username} (${user.role}${user.department ? `, ${user.department}` : ''}) created`,
    );
    console.log(`password (shown once, hand it over safely): ${password ?? ''}`);
  } else if (group === 'users' && command === 'list') {
    console.table(await users.list());
  } else if (group === 'users' && (command === 'disable' || command === 'enable')) {
    if (!argument) throw new UsageError(`users ${command} needs the username`);
    const user = await users.update(argument, { disabled: command === 'disable' }, who);
    console.log(`${user.username} is ${user.disabled ? 'disabled (its sessions ended)' : 'enabled'}`);
  } else if (group === 'users' && command === 'reset') {
    if (!argument) throw new UsageError('users reset needs the username');
    const { password } = await users.resetPassword(argument, who);
    console.log(`new password for ${argument} (shown once; its sessions ended): ${password}`);
  } else if (group === 'demo-credentials') {
    const file = demoFile;
    const previous = readDemo();
    const credentials: DemoCredentials = {
      users: await demoUsers(users, previous, who),
      keys: await admin.demoKeys(previous),
    };
    mkdirSync(dataDir(), { recursive: true });
    writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    console.log(`demo users and keys in ${file}`);
  } else if (group === 'audit' && command === 'verify') {
    const kafka = createKafka({
      brokers: brokerList(config.KAFKA_BROKERS),
      clientId: 'liandong-admin',
      logger: createLogger({ service: 'admin', level: 'warn' }),
    });
    const log = await auditLogId(pool);
    const topic = namespacedTopic(TOPICS.auditHead, config.KAFKA_TOPIC_PREFIX);
    const head = await readPublishedAuditHead(kafka, topic, log);
    if (!head) console.warn(`no head of ${log} is published on ${topic} yet: only the chain is checked`);
    const result = await verifyAudit(pool, head ? { head } : {});
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else if (result.ok)
      console.log(
        `audit log ${log} intact: ${result.entries} entries${result.entries ? ` from ${result.firstSeq}` : ''}${head ? `, holds the head published on ${topic} (entry ${head.seq})` : ''}`,
      );
    else
      console.log(
        `audit log ${log} BROKEN at entry ${result.brokenAt?.seq ?? '?'}: ${result.brokenAt?.reason ?? 'the chain does not verify'}`,
      );
    if (!result.ok) process.exitCode = 1;
  } else {
    throw new UsageError(group ? `unknown command "${positionals.join(' ')}"` : 'name a command');
  }
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`pnpm admin: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`pnpm admin: ${(error as Error).message}`);
    process.exitCode = 1;
  }
} finally {
  await pool.end();
}
