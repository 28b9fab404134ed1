/** What the other packages take from @liandong/kafka — and only that; the rest is the package's own. */
export { runConsumer, type ConsumerRunner, type Handler } from './runner.ts';
export {
  createJsonProducer,
  type JsonProducer,
  type OutgoingMessage,
  type ProduceResult,
  type ProducerOptions,
} from './producer.ts';
export {
  createEventProducer,
  DEFAULT_MAX_MESSAGE_BYTES,
  messageBytes,
  type EventProducerOptions,
} from './event.producer.ts';
export { createKafka, type Kafka } from './client.ts';
export { createKafkaProbe, ensureTopics, fetchEndOffsets } from './admin.ts';
export { partitionHash } from './partitioner.ts';
export { publishAuditHead, readPublishedAuditHead } from './audit-head.ts';
