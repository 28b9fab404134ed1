import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, databaseEnv, kafkaEnv } from '@liandong/config';
import { Crs } from '@liandong/contracts';

/** The configuration every ingest service reads (a service may add its own variables). */
export function ingestConfigSchema(defaults: { port: number; sourceSystem: string }) {
  return Type.Object({
    ...commonEnv,
    ...kafkaEnv,
    ...databaseEnv,
    HOST: Type.String({ default: '127.0.0.1', description: 'interface to listen on' }),
    PORT: Type.Integer({ minimum: 1, maximum: 65535, default: defaults.port }),
    KAFKA_TOPIC_PREFIX: Type.String({
      default: '',
      pattern: '^[A-Za-z0-9._-]*$',
      description: 'a prefix of topic names (letters, digits, . _ -)',
    }),
    SOURCE_SYSTEM: Type.String({ default: defaults.sourceSystem, minLength: 1 }),
    DEFAULT_CRS: { ...Crs, default: 'WGS84' },
    RATE_LIMIT_PER_MINUTE: Type.Integer({
      minimum: 1,
      default: 6000,
      description: 'requests per key per minute',
    }),
    KEY_CACHE_TTL_MS: Type.Integer({ minimum: 0, default: 30_000 }),
    PRODUCE_RETRIES: Type.Integer({ minimum: 1, default: 4 }),
  });
}

export type IngestConfig = Static<ReturnType<typeof ingestConfigSchema>>;
