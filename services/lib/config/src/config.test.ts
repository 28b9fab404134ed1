import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import {
  APP_ROLE,
  ConfigError,
  databaseEnv,
  databaseRolesEnv,
  databaseUrls,
  DEFAULT_DATABASE_ADMIN_URL,
  DEFAULT_DATABASE_URL,
  kafkaEnv,
  loadConfig,
  redactConfig,
  Secret,
} from './index.ts';

const schema = Type.Object({
  ...kafkaEnv,
  ...databaseEnv,
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8101 }),
  API_TOKEN: Secret(Type.String({ minLength: 8 })),
});

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const config = loadConfig(schema, { API_TOKEN: 'abcdefghij', PORT: '9000' });
    expect(config.PORT).toBe(9000);
    expect(config.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(config.DATABASE_URL).toBe(DEFAULT_DATABASE_URL);
  });

  it('names every bad variable in one readable error, never a secret value', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', KAFKA_BROKERS: 'nohost', API_TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT="eighty" is not valid: expected an integer ≥ 1 ≤ 65535');
    expect(message).toContain('KAFKA_BROKERS="nohost" is not valid');
    expect(message).toContain('API_TOKEN=(secret) is not valid');
    expect(message).not.toContain('short');
  });

  it('says what to set when a required variable is missing', () => {
    expect(() => loadConfig(schema, {})).toThrow(/API_TOKEN is required/);
  });
});

describe('redactConfig', () => {
  it('masks secrets and URL passwords', () => {
    const config = loadConfig(schema, {
      API_TOKEN: 'abcdefghij',
      DATABASE_URL: 'postgres://app:hunter2@db:5432/liandong',
    });
    const shown = JSON.stringify(redactConfig(schema, config));
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('abcdefghij');
  });
});

describe('database URLs of the command lines', () => {
  const roles = (env: Record<string, string>) => databaseUrls(loadConfig(Type.Object(databaseRolesEnv), env));

  it("given nothing, then the owner and the services' role on the local database", () => {
    expect(roles({})).toEqual({ admin: DEFAULT_DATABASE_ADMIN_URL, app: DEFAULT_DATABASE_URL });
  });

  it("given only the owner's URL, then the services connect to its server as liandong_app", () => {
    expect(roles({ DATABASE_ADMIN_URL: 'postgres://owner:pw@db:5433/site' })).toEqual({
      admin: 'postgres://owner:pw@db:5433/site',
      app: `postgres://${APP_ROLE}@db:5433/site`,
    });
  });

  it('given only DATABASE_URL, then both are that URL (as before there were two)', () => {
    expect(roles({ DATABASE_URL: 'postgres://u@h/d' })).toEqual({
      admin: 'postgres://u@h/d',
      app: 'postgres://u@h/d',
    });
  });

  it('given a URL that is not postgres://, then refused naming the variable', () => {
    expect(() => roles({ DATABASE_ADMIN_URL: 'mysql://x' })).toThrow(
      /DATABASE_ADMIN_URL=\(secret\) is not valid/,
    );
  });
});
