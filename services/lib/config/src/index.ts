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

export const databaseEnv = {
  DATABASE_URL: Secret(
    Type.String({
      // The services' role, which may not alter the audit log (the migrations run as its owner).
      default: 'postgres://liandong_app@127.0.0.1:5432/liandong',
      pattern: '^postgres(ql)?://',
      description: 'a postgres:// URL',
    }),
  ),
  DATABASE_SCHEMA: Type.String({
    default: 'public',
    pattern: '^[a-z_][a-z0-9_]*$',
    description: 'a schema name',
  }),
};

export function brokerList(value: string): string[] {
  return value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}
