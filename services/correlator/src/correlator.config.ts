import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, databaseEnv, kafkaEnv, loadConfig } from '@liandong/config';

/** The correlator's configuration: the only reader of the environment. */
export const correlatorConfigSchema = Type.Object({
  ...commonEnv,
  ...kafkaEnv,
  ...databaseEnv,
  HOST: Type.String({ default: '127.0.0.1', description: 'interface to listen on' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8120 }),
  KAFKA_TOPIC_PREFIX: Type.String({
    default: '',
    pattern: '^[A-Za-z0-9._-]*$',
    description: 'a prefix of topic names (letters, digits, . _ -)',
  }),
  CORRELATOR_GROUP: Type.String({
    default: 'correlator',
    pattern: '^[A-Za-z0-9._-]+$',
    description: 'consumer group prefix (every instance of a site shares it); also names the checkpoint rows',
  }),
  CORRELATOR_RULES_DIR: Type.Optional(
    Type.String({ minLength: 1, description: 'folder of rule files (default: the engine’s Nanhai rules)' }),
  ),
  CORRELATOR_LATENESS_MINUTES: Type.Integer({
    minimum: 0,
    default: 60,
    description: 'how far behind the newest event time an event may arrive and still count',
  }),
  CORRELATOR_SNAPSHOT_MS: Type.Integer({
    minimum: 0,
    default: 5000,
    description: 'at most this long between snapshots of the engine (0: after every batch)',
  }),
  CORRELATOR_SHARDS: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 1,
    description:
      'shards of the rules (partitions of correlator.shards.v1, fed by a fan-out when more than 1): the most correlators of one group that share the work (fixed once the topic exists)',
  }),
  CORRELATOR_SESSION_TIMEOUT_MS: Type.Integer({
    minimum: 6000,
    maximum: 300_000,
    default: 10_000,
    description:
      'Kafka group session timeout of the correlator’s consumers: how long a correlator that died holds its partitions before the group gives them to another',
  }),
  CORRELATOR_TICK_MS: Type.Integer({
    minimum: 0,
    default: 60_000,
    description:
      'how often the wall clock is written into the input sequence, so that silences fire when every feed is quiet (0: never)',
  }),
});
export type CorrelatorConfig = Static<typeof correlatorConfigSchema>;

export function loadCorrelatorConfig(env: NodeJS.ProcessEnv = process.env): CorrelatorConfig {
  return loadConfig(correlatorConfigSchema, env);
}
