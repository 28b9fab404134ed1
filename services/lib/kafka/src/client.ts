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

// The idempotent producer warns when its retries are bounded; we bound them on purpose so a
// request can be answered 503 instead of hanging while Kafka is away (see producer.ts).
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
