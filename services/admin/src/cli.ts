/**
 * pnpm admin — administration from the command line.
 *   keys create --department <code> [--label <text>]   prints the new key once; only its hash is stored
 *   keys list [--department <code>]
 *   keys revoke <key id>
 *   users create --username <name> --role <operator|liaison|analyst|admin> [--department <unit>] [--display-name <text>]
 *                                                       prints a generated password once
 *   users list
 *   users disable <username> | users enable <username> (disabling ends the user's sessions)
 *   users reset <username>                             prints a new generated password once; ends the user's sessions
 *   demo-credentials                                   demo users and keys in .data/demo-credentials.json (local demo only)
 *   audit verify                                       checks the audit log's hash chain and that it still
 *                                                      holds the newest head published on audit-head.v1
 * Uses DATABASE_URL (the services' role; defaults as in @liandong/config's databaseUrls),
 * DATABASE_SCHEMA, and for audit verify KAFKA_BROKERS and KAFKA_TOPIC_PREFIX: read by loadConfig only.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { namespacedTopic, ROLES, TOPICS, type Role, type UnitCode } from '@liandong/contracts';
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

const USAGE = `usage: pnpm admin keys create --department <code> [--label <text>] | keys list | keys revoke <id>
       pnpm admin users create --username <name> --role <${ROLES.join('|')}> [--department <unit>] [--display-name <text>]
       pnpm admin users list | users disable <username> | users enable <username> | users reset <username>
       pnpm admin demo-credentials | audit verify`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    department: { type: 'string' },
    label: { type: 'string', default: '' },
    username: { type: 'string' },
    role: { type: 'string' },
    'display-name': { type: 'string' },
  },
});
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
  if (group === 'keys' && command === 'create') {
    if (!values.department) throw new Error('keys create needs --department <code>');
    const { id, key } = await admin.createKey(values.department, values.label);
    console.log(`key ${id} for ${values.department} (shown once, store it now):\n${key}`);
  } else if (group === 'keys' && command === 'list') {
    console.table(await admin.listKeys(values.department));
  } else if (group === 'keys' && command === 'revoke') {
    if (!argument) throw new Error('keys revoke needs the key id');
    console.log((await admin.revokeKey(argument)) ? `revoked ${argument}` : `no active key ${argument}`);
  } else if (group === 'users' && command === 'create') {
    if (!values.username || !values.role) throw new Error('users create needs --username and --role');
    if (!(ROLES as readonly string[]).includes(values.role))
      throw new Error(`--role must be one of ${ROLES.join(', ')}`);
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
    if (!argument) throw new Error(`users ${command} needs the username`);
    const user = await users.update(argument, { disabled: command === 'disable' }, who);
    console.log(`${user.username} is ${user.disabled ? 'disabled (its sessions ended)' : 'enabled'}`);
  } else if (group === 'users' && command === 'reset') {
    if (!argument) throw new Error('users reset needs the username');
    const { password } = await users.resetPassword(argument, who);
    console.log(`new password for ${argument} (shown once; its sessions ended): ${password}`);
  } else if (group === 'demo-credentials') {
    const file = join(dataDir(), 'demo-credentials.json');
    const previous = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials)
      : undefined;
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
    console.log(JSON.stringify(result, null, 2));
    if (!result.ok) process.exitCode = 1;
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
