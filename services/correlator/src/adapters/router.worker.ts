/**
 * The router in a thread of its own (router.thread.ts starts it). It decodes every fetched event
 * and encodes its copy, as much work as the engine's; on the engine's thread the two shared one
 * core while the other idled. Its own Kafka client, producer and logger; it tells the parent the
 * copies it made, a fatal error, and when it has stopped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEventProducer, createKafka } from '@liandong/kafka';
import { createLogger } from '@liandong/logger';
import { startRouter } from './sequence.router.ts';
import { SEQUENCE_MAX_MESSAGE_BYTES } from './sequence.topic.ts';
import type { RouterThreadMessage, RouterWorkerData } from './router.thread.ts';

const data = workerData as RouterWorkerData;
const port = parentPort;
if (!port) throw new Error('router.worker.ts runs as a worker thread (router.thread.ts)');
const post = (message: RouterThreadMessage) => port.postMessage(message);
const logger = createLogger({ service: 'correlator', level: data.logLevel }).child({ stage: 'router' });
const kafka = createKafka({ brokers: data.brokers, clientId: data.clientId, logger });

try {
  const router = await startRouter({
    kafka,
    producer: createEventProducer(kafka, { logger, maxMessageBytes: SEQUENCE_MAX_MESSAGE_BYTES }),
    groupId: data.groupId,
    topics: data.topics,
    sequenceTopic: data.sequenceTopic,
    tickMs: data.tickMs,
    logger,
    onCopied: (count) => post({ type: 'copied', count }),
    onFatal: (error) => post({ type: 'fatal', message: error.message, stack: error.stack }),
    ...(data.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: data.sessionTimeoutMs } : {}),
  });
  port.on('message', (message: 'stop') => {
    if (message !== 'stop') return;
    router
      .stop()
      .catch((error: unknown) => logger.warn({ err: error }, 'router did not stop cleanly'))
      .finally(() => post({ type: 'stopped' }));
  });
  post({ type: 'started' });
} catch (error) {
  post({ type: 'fatal', message: (error as Error).message, stack: (error as Error).stack });
}
