import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Static, TSchema } from '@sinclair/typebox';
import { TOPICS, validator, type DeadLetter } from '@liandong/contracts';
import {
  AppError,
  backoffDelayMs,
  decideRetry,
  DEFAULT_RETRY_POLICY,
  MAX_DEPENDENCY_WAIT_MS,
  toAppError,
  type RetryPolicy,
} from '@liandong/errors';
import type { Logger } from '@liandong/logger';
import type { JsonProducer } from './producer.ts';

export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  timestamp: string;
  headers: Record<string, string>;
  attempt: number;
  logger: Logger;
}

export type Handler<T> = (message: T, context: MessageContext) => Promise<void>;

export interface ConsumerRunnerConfig<S extends TSchema> {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  /** The contract every message on these topics must satisfy. */
  schema: S;
  handler: Handler<Static<S>>;
  /**
   * Optional: handles a run of valid messages at once (e.g. one multi-row insert), for
   * projections that must keep up with a busy topic. It must be idempotent. When it fails, or a
   * message of the run is not valid, the run falls back to `handler` message by message, with
   * the usual retries and dead-lettering.
   */
  batchHandler?: (messages: Static<S>[]) => Promise<void>;
  /** Messages per call of `batchHandler` (default 500). */
  batchSize?: number;
  /** Where messages that can never succeed go. */
  deadLetter: { producer: JsonProducer; topic?: string; service: string };
  logger: Logger;
  retryPolicy?: RetryPolicy;
  fromBeginning?: boolean;
  /** Called when the client crashed and will not restart by itself; defaults to exiting the process. */
  onFatal?: (error: Error) => void;
  /**
   * The client's own retry of a failed batch (e.g. the dead-letter topic cannot be written),
   * and whether to restart after it gave up; defaults to kafkajs' (restart).
   */
  clientRetry?: { retries: number; restartOnFailure?: (error: Error) => Promise<boolean> };
  /**
   * How long a dead letter that cannot be written (the topic away or missing) is retried in place
   * before the batch fails to the client, which retries or restarts it (default 60 s). The handler
   * is not run again for a message it already refused: only the dead-letter write is retried.
   */
  deadLetterWaitMs?: number;
  /**
   * How long the group waits for a member that stopped heartbeating (a handler stuck in I/O)
   * before it hands that member's partitions to the others; kafkajs' default is 30 s.
   */
  sessionTimeoutMs?: number;
  /** Injected for tests: how to wait between retries. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ConsumerRunner {
  readonly consumer: Consumer;
  stop(): Promise<void>;
}

const MAX_DEAD_LETTER_PAYLOAD = 1024 * 1024;

function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out;
}

/**
 * Runs a consumer group: each message is decoded (JSON), validated against its contract and
 * handed to the handler. Retriable failures are retried with back-off (heartbeating while it
 * waits); what can never succeed goes to the dead-letter topic with the reason. Offsets are
 * resolved one message at a time, so a crash replays at most the message in hand.
 */
export async function runConsumer<S extends TSchema>(
  config: ConsumerRunnerConfig<S>,
): Promise<ConsumerRunner> {
  const policy = config.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const check = validator(config.schema);
  const sleep = config.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadLetterTopic = config.deadLetter.topic ?? TOPICS.deadLetters;
  const consumer = config.kafka.consumer({
    groupId: config.groupId,
    allowAutoTopicCreation: false,
    ...(config.clientRetry ? { retry: config.clientRetry } : {}),
    ...(config.sessionTimeoutMs !== undefined
      ? {
          sessionTimeout: config.sessionTimeoutMs,
          heartbeatInterval: Math.max(100, Math.floor(config.sessionTimeoutMs / 10)),
        }
      : {}),
  });
  let stopping = false;

  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    if (restart || stopping) return;
    config.logger.fatal(
      { err: error, groupId: config.groupId },
      'Kafka consumer crashed and will not restart',
    );
    (config.onFatal ?? (() => process.exit(1)))(error);
  });

  async function deadLetter(
    message: KafkaMessage,
    topic: string,
    partition: number,
    error: AppError,
    attempts: number,
  ) {
    const payload = message.value?.toString('utf8') ?? '';
    const record: DeadLetter = {
      id: randomUUID(),
      stage: 'consume',
      service: config.deadLetter.service,
      at: new Date().toISOString(),
      reason: { code: error.code, message: error.message, errors: error.errors, attempts },
      payload: payload.slice(0, MAX_DEAD_LETTER_PAYLOAD),
      truncated: payload.length > MAX_DEAD_LETTER_PAYLOAD,
      origin: {
        topic,
        partition,
        offset: message.offset,
        ...(message.key ? { key: message.key.toString('utf8') } : {}),
      },
    };
    await config.deadLetter.producer.send([
      {
        topic: deadLetterTopic,
        messages: [{ key: message.key?.toString('utf8') ?? record.id, value: record }],
      },
    ]);
  }

  /**
   * Messages the handler refused for good whose dead letter is not written yet, by
   * topic/partition/offset: after a failed batch the client hands them again, and they go
   * straight to the dead-letter write instead of through the handler once more.
   */
  const refused = new Map<string, { error: AppError; attempts: number }>();
  const deadLetterWaitMs = config.deadLetterWaitMs ?? 60_000;

  /**
   * Writes the dead letter, retrying the write alone (heartbeating) while the dead-letter topic
   * cannot take it; false when the batch went stale meanwhile. After `deadLetterWaitMs` the
   * failure goes to the client (see ConsumerRunnerConfig.deadLetterWaitMs).
   */
  async function deadLetterHeld(
    message: KafkaMessage,
    topic: string,
    partition: number,
    refusal: { error: AppError; attempts: number },
    batch: { heartbeat: () => Promise<void>; current: () => boolean },
    logger: Logger,
  ): Promise<boolean> {
    const key = `${topic}/${partition}/${message.offset}`;
    refused.set(key, refusal);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await deadLetter(message, topic, partition, refusal.error, refusal.attempts);
        refused.delete(key);
        return true;
      } catch (thrown) {
        const waited = Date.now() - started;
        if (waited >= deadLetterWaitMs) throw thrown;
        const delayMs = Math.min(
          deadLetterWaitMs - waited,
          backoffDelayMs(attempt, {
            initialDelayMs: policy.initialDelayMs,
            maxDelayMs: MAX_DEPENDENCY_WAIT_MS,
          }),
        );
        logger.warn(
          { err: thrown, attempt, delayMs },
          'the dead letter could not be written; holding the message',
        );
        await sleep(delayMs);
        await batch.heartbeat();
        if (!batch.current()) return false;
      }
    }
  }

  function decode(message: KafkaMessage): Static<S> {
    let value: unknown;
    try {
      value = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      throw new AppError('decode_failed', `not JSON: ${(error as Error).message}`);
    }
    if (!check.check(value)) {
      throw new AppError('contract_violation', 'the message does not match its contract', {
        errors: check
          .issues(value)
          .map((i) => ({ pointer: i.pointer, code: 'invalid_field', message: i.message })),
      });
    }
    return value;
  }

  await consumer.connect();
  for (const topic of config.topics) {
    await consumer.subscribe({ topic, fromBeginning: config.fromBeginning ?? true });
  }
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: true,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const isRunning = () => payload.isRunning();
      const isStale = () => payload.isStale();
      const heartbeat = () => payload.heartbeat();
      let messages = batch.messages;
      const held = { heartbeat, current: () => isRunning() && !isStale() };
      if (config.batchHandler) {
        const size = config.batchSize ?? 500;
        while (messages.length > 0) {
          if (!isRunning() || isStale()) return;
          const run = messages.slice(0, size);
          let values: Static<S>[] | undefined;
          try {
            values = run.map(decode);
            await config.batchHandler(values);
          } catch (error) {
            if (values)
              config.logger.warn(
                { err: error, topic: batch.topic, partition: batch.partition },
                'batch handler failed; handling the run message by message',
              );
            break;
          }
          payload.resolveOffset((run.at(-1) as KafkaMessage).offset);
          await heartbeat();
          messages = messages.slice(run.length);
        }
      }
      for (const message of messages) {
        if (!isRunning() || isStale()) return;
        const logger = config.logger.child({
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
        });
        const known = refused.get(`${batch.topic}/${batch.partition}/${message.offset}`);
        let attempt = 0;
        for (;;) {
          if (known) {
            if (!(await deadLetterHeld(message, batch.topic, batch.partition, known, held, logger))) return;
            break;
          }
          attempt += 1;
          try {
            const value = decode(message);
            await config.handler(value, {
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
              key: message.key?.toString('utf8'),
              timestamp: message.timestamp,
              headers: headersOf(message),
              attempt,
              logger,
            });
            break;
          } catch (thrown) {
            const error = toAppError(thrown);
            const decision = decideRetry(error, attempt, policy);
            if (decision.action === 'retry') {
              logger.warn({ err: error, attempt, delayMs: decision.delayMs }, 'handler failed; retrying');
              await sleep(decision.delayMs);
              await heartbeat();
              if (!isRunning() || isStale()) return;
              continue;
            }
            logger.error({ err: error, attempt, reason: decision.reason }, 'message dead-lettered');
            const refusal = { error, attempts: attempt };
            if (!(await deadLetterHeld(message, batch.topic, batch.partition, refusal, held, logger))) return;
            break;
          }
        }
        payload.resolveOffset(message.offset);
        await heartbeat();
      }
      await payload.commitOffsetsIfNecessary();
    },
  });

  return {
    consumer,
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}
