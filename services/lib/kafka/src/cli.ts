/** ensure-topics — creates every Liandong topic that is missing (partitions and settings from contracts). */
import { brokerList, kafkaEnv, loadConfigOrExit, topicPrefixEnv } from '@liandong/config';
import { TOPIC_SPECS, namespacedTopic } from '@liandong/contracts';
import { Type } from '@sinclair/typebox';
import { createLogger } from '@liandong/logger';
import { ensureTopics } from './admin.ts';
import { createKafka } from './client.ts';

const [command] = process.argv.slice(2);
if (command !== 'ensure-topics') {
  console.error('usage: tsx services/lib/kafka/src/cli.ts ensure-topics');
  process.exit(2);
}
const config = loadConfigOrExit(
  Type.Object({
    ...kafkaEnv,
    ...topicPrefixEnv,
    KAFKA_REPLICATION_FACTOR: Type.Optional(Type.Integer({ minimum: 1, maximum: 32 })),
  }),
);
const brokers = brokerList(config.KAFKA_BROKERS);
const prefix = config.KAFKA_TOPIC_PREFIX;
const replication = config.KAFKA_REPLICATION_FACTOR;
const kafka = createKafka({
  brokers,
  clientId: 'liandong-topics',
  logger: createLogger({ service: 'topics', level: 'warn' }),
});
try {
  const created = await ensureTopics(
    kafka,
    TOPIC_SPECS.map((s) => ({ ...s, name: namespacedTopic(s.name, prefix) })),
    replication !== undefined ? { replicationFactor: replication } : {},
  );
  console.log(
    created.length ? `created topics: ${created.join(', ')}` : `all ${TOPIC_SPECS.length} topics exist`,
  );
} catch (error) {
  console.error(`could not create topics on ${brokers.join(',')}: ${(error as Error).message}`);
  process.exitCode = 1;
}
