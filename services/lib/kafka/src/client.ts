import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '@liandong/logger';

export interface KafkaClientConfig {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Connection and request timeouts; lower them in tests of an unreachable broker. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

// The idempotent producer warns when its retries are bounded, because a failed request leaves its
// sequence numbers unreliable: kafkajs rolls back the sequences of every partition of the request,
// also of those the broker wrote, and the next record sent to such a partition is dropped by the
// broker as a duplicate while the send resolves. Bounded retries are on purpose (a request is
// answered 503 instead of hanging while Kafka is away), so a producer whose send failed must not
// send again: the ingest services replace it by a fresh one (a new producer id), see
// event.producer.ts (createEventProducer), which every long-lived producer uses.
const SILENCED = ['Limiting retries for the idempotent producer'];

/**
 * Answers kafkajs logs as errors although it retries them itself and they pass within seconds: a
 * broker just started is still loading its group coordinator, or electing a partition's leader.
 */
const TRANSIENT = [
  /The coordinator is loading/,
  /The group coordinator is not available/,
  /This is not the correct coordinator for this group/,
  /There is no leader for this topic-partition/,
  /The leader is not available/,
];

/**
 * The level a kafkajs log entry is kept at: an error kafkajs retries by itself (and the consumer
 * restart that follows it) is information, not an error line an operator should act on.
 */
export function kafkaLogLevel(
  level: logLevel,
  message: string,
  extra: Record<string, unknown>,
  transientCrash: Set<string>,
): logLevel {
  if (level !== logLevel.ERROR) return level;
  const group = typeof extra['groupId'] === 'string' ? extra['groupId'] : '';
  const text = `${message} ${typeof extra['error'] === 'string' ? extra['error'] : ''}`;
  if (TRANSIENT.some((t) => t.test(text))) {
    if (message.startsWith('Crash')) transientCrash.add(group);
    return logLevel.INFO;
  }
  if (message.startsWith('Restarting the consumer') && transientCrash.delete(group)) return logLevel.INFO;
  return level;
}

function pinoLogCreator(logger: Logger): logCreator {
  const transientCrash = new Set<string>();
  return () =>
    ({ namespace, level: given, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (SILENCED.some((s) => message.startsWith(s))) return;
      const level = kafkaLogLevel(given, message, extra, transientCrash);
      const child = { kafka: namespace, ...extra };
      switch (level) {
        case logLevel.ERROR:
          logger.error(child, message);
          break;
        case logLevel.WARN:
          logger.warn(child, message);
          break;
        case logLevel.INFO:
          logger.info(child, message);
          break;
        case logLevel.DEBUG:
        case logLevel.NOTHING:
          logger.debug(child, message);
      }
    };
}

export function createKafka(config: KafkaClientConfig): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    requestTimeout: config.requestTimeoutMs ?? 30000,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(config.logger.child({ component: 'kafkajs' })),
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
  });
}

export type { Kafka } from 'kafkajs';
