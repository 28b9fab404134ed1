import { Kind, Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Marks a configuration value as secret: it is redacted whenever the configuration is printed. */
export function Secret<T extends TSchema>(schema: T): T {
  return { ...schema, secret: true };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function expected(schema: TSchema): string {
  if (schema.anyOf) {
    return `one of ${(schema.anyOf as TSchema[]).map((s) => JSON.stringify(s['const'])).join(', ')}`;
  }
  switch (schema[Kind]) {
    case 'Integer':
      return `an integer${schema['minimum'] !== undefined ? ` ≥ ${String(schema['minimum'])}` : ''}${schema['maximum'] !== undefined ? ` ≤ ${String(schema['maximum'])}` : ''}`;
    case 'Number':
      return 'a number';
    case 'Boolean':
      return 'true or false';
    default:
      return schema['description'] ? String(schema['description']) : 'a string';
  }
}

/**
 * Reads configuration from the environment: the only reader of process.env in a service.
 * Values are converted (numbers, booleans) and defaulted; anything invalid stops the process
 * with one message naming every bad variable.
 */
export function loadConfig<P extends TProperties>(
  schema: TObject<P>,
  env: Record<string, string | undefined> = process.env,
): Static<TObject<P>> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  if (Value.Check(schema, converted)) return converted;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, converted)) {
    const key = error.path.replace(/^\//, '').split('/')[0] ?? '';
    if (seen.has(key)) continue;
    seen.add(key);
    const property = schema.properties[key];
    const shown = property?.['secret'] ? '(secret)' : JSON.stringify(raw[key]);
    problems.push(
      raw[key] === undefined
        ? `${key} is required: set it to ${property ? expected(property) : 'a value'}`
        : `${key}=${shown} is not valid: expected ${property ? expected(property) : 'a valid value'}`,
    );
  }
  throw new ConfigError(problems);
}

/**
 * For command lines: the configuration, or the process ends with the message naming each bad
 * variable (exit code 78, EX_CONFIG) instead of a stack trace.
 */
export function loadConfigOrExit<P extends TProperties>(
  schema: TObject<P>,
  env: Record<string, string | undefined> = process.env,
): Static<TObject<P>> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(78);
  }
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

/** A copy safe to print or log: secrets replaced, passwords in URLs masked. */
export function redactConfig<P extends TProperties>(
  schema: TObject<P>,
  config: Static<TObject<P>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const property = schema.properties[key];
    if (property?.['secret']) out[key] = value === undefined ? undefined : '***';
    else out[key] = typeof value === 'string' ? redactUrl(value) : value;
  }
  return out;
}

/** Shared fragments every service composes into its own schema. */
export const commonEnv = {
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
};

export const kafkaEnv = {
  KAFKA_BROKERS: Type.String({
    default: '127.0.0.1:9092',
    pattern: '^[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*$',
    description: 'comma-separated host:port list, e.g. 127.0.0.1:9092',
  }),
  KAFKA_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
};

/**
 * The role the services connect as (DATABASE_URL): it may read and write the service tables and
 * only insert into and read the audit log. Migrations run as the tables' owner
 * (DATABASE_ADMIN_URL), which creates this role when it is missing and grants it its rights.
 */
export const APP_ROLE = 'liandong_app';
/** The services' database on this machine, as the services' role: the one default of DATABASE_URL. */
export const DEFAULT_DATABASE_URL = `postgres://${APP_ROLE}@127.0.0.1:5432/liandong`;
/** The same database as its owner, for migrations: the default of DATABASE_ADMIN_URL. */
export const DEFAULT_DATABASE_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/liandong';

const postgresUrl = () => Type.String({ pattern: '^postgres(ql)?://', description: 'a postgres:// URL' });

const DATABASE_SCHEMA = Type.String({
  default: 'public',
  pattern: '^[a-z_][a-z0-9_]*$',
  description: 'a schema name',
});

/** A service's database: it connects as the services' role only. */
export const databaseEnv = {
  DATABASE_URL: Secret({ ...postgresUrl(), default: DEFAULT_DATABASE_URL }),
  DATABASE_SCHEMA,
};

/**
 * Command lines that act as both roles (migrations, `pnpm start`, admin): neither URL defaults
 * here, because an unset DATABASE_URL follows DATABASE_ADMIN_URL's server (see databaseUrls).
 */
export const databaseRolesEnv = {
  DATABASE_ADMIN_URL: Type.Optional(Secret(postgresUrl())),
  DATABASE_URL: Type.Optional(Secret(postgresUrl())),
  DATABASE_SCHEMA,
};

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
export function databaseUrls(config: {
  DATABASE_ADMIN_URL?: string | undefined;
  DATABASE_URL?: string | undefined;
}): {
  admin: string;
  app: string;
} {
  const admin = config.DATABASE_ADMIN_URL ?? config.DATABASE_URL ?? DEFAULT_DATABASE_ADMIN_URL;
  const app = config.DATABASE_URL ?? withUser(admin, APP_ROLE);
  return { admin, app };
}

/** Topic names under a prefix (tests and a second system on one broker). */
export const topicPrefixEnv = {
  KAFKA_TOPIC_PREFIX: Type.String({
    default: '',
    pattern: '^[A-Za-z0-9._-]*$',
    description: 'a prefix of topic names (letters, digits, . _ -)',
  }),
};

export function brokerList(value: string): string[] {
  return value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}
