import { namespacedTopic, TOPICS } from '@liandong/contracts';
import { startAuditHeadPublisher, type AuditHeadPublisher, type Pool } from '@liandong/db';
import { publishAuditHead, readPublishedAuditHead, type JsonProducer, type Kafka } from '@liandong/kafka';
import type { Logger } from '@liandong/logger';

/**
 * Publishes the audit log's head on audit-head.v1 every `intervalMs` (0: never), where the
 * database owner cannot rewrite it, so that a cut-off tail of the log is detected.
 */
export function startAuditHead(deps: {
  pool: Pool;
  kafka: Kafka;
  producer: JsonProducer;
  topicPrefix: string;
  service: string;
  intervalMs: number;
  logger: Logger;
}): AuditHeadPublisher | undefined {
  if (deps.intervalMs <= 0) return undefined;
  const topic = namespacedTopic(TOPICS.auditHead, deps.topicPrefix);
  return startAuditHeadPublisher({
    pool: deps.pool,
    publisher: deps.service,
    intervalMs: deps.intervalMs,
    logger: deps.logger.child({ component: 'audit-head' }),
    publish: (head) => publishAuditHead(deps.producer, topic, head),
    readPublished: (log) => readPublishedAuditHead(deps.kafka, topic, log),
  });
}
