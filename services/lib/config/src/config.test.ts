import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, databaseEnv, kafkaEnv, loadConfig, redactConfig, Secret } from './index.ts';

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
    expect(config.DATABASE_URL).toBe('postgres://liandong_app@127.0.0.1:5432/liandong');
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
