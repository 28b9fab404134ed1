/**
 * The router: consumes the six events topics (one consumer group for every instance) and copies
 * each batch, in partition order, onto the sequence topic; the source offsets are committed only
 * once Kafka has the copies, so a crash repeats a tail that the engine recognises and skips (see
 * CorrelatorState). It also writes a tick of the wall clock every `tickMs`.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { JsonProducer } from '@liandong/kafka';
import type { Logger } from '@liandong/logger';
import { HEADER } from './sequence.topic.ts';

export interface RouterDeps {
  kafka: Kafka;
  producer: JsonProducer;
  groupId: string;
  topics: readonly string[];
  sequenceTopic: string;
  tickMs: number;
  logger: Logger;
  onCopied?: (count: number) => void;
  onFatal: (error: Error) => void;
}

export interface Router {
  readonly consumer: Consumer;
  stop(): Promise<void>;
}

export async function startRouter(deps: RouterDeps): Promise<Router> {
  const consumer = deps.kafka.consumer({ groupId: deps.groupId, allowAutoTopicCreation: false });
  let stopping = false;
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart || stopping) return;
    deps.logger.fatal({ err: event.payload.error }, 'router consumer crashed and will not restart');
    deps.onFatal(event.payload.error);
  });
  await consumer.connect();
  for (const topic of deps.topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    // Offsets resolved only after the copies are on the sequence topic; kafkajs commits them
    // after the batch.
    autoCommit: true,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
      const source = `${batch.topic}/${batch.partition}`;
      await deps.producer.send([
        {
          topic: deps.sequenceTopic,
          messages: batch.messages.map((m) => ({
            key: m.key?.toString('utf8') ?? source,
            value: m.value ?? Buffer.from('null'),
            headers: { [HEADER.kind]: 'event', [HEADER.source]: `${source}/${m.offset}` },
          })),
        },
      ]);
      deps.onCopied?.(batch.messages.length);
      payload.resolveOffset(batch.lastOffset());
      await payload.heartbeat();
    },
  });
  const ticker =
    deps.tickMs > 0
      ? setInterval(() => {
          const at = Date.now();
          deps.producer
            .send([
              {
                topic: deps.sequenceTopic,
                messages: [
                  { key: 'tick', value: { at }, headers: { [HEADER.kind]: 'tick', [HEADER.at]: String(at) } },
                ],
              },
            ])
            .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not write a clock tick'));
        }, deps.tickMs)
      : undefined;
  return {
    consumer,
    async stop() {
      stopping = true;
      if (ticker) clearInterval(ticker);
      await consumer.disconnect();
    },
  };
}
