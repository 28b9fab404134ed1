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
// ingest-kit's adapters/event.producer.ts. Any other long-lived producer must do the same.
const SILENCED = ['Limiting retries for the idempotent producer'];

function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (SILENCED.some((s) => message.startsWith(s))) return;
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
