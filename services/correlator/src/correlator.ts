/**
 * The correlator's composition root, shared by main.ts and the tests: configuration → rules,
 * PostgreSQL and Kafka → the router (six events topics → sequence topic) and the engine stage
 * (sequence topic → warnings.v1) → HTTP app.
 */
import type { AddressInfo } from 'node:net';
import { brokerList } from '@liandong/config';
import { DEPARTMENT_CODES, eventsTopic, namespacedTopic, TOPICS } from '@liandong/contracts';
import { DEFAULT_RULES_DIR, loadRuleSet, type RuleSet } from '@liandong/correlation-engine';
import { createPool, pingDatabase } from '@liandong/db';
import { createJsonProducer, createKafka, createKafkaProbe, ensureTopics } from '@liandong/kafka';
import type { Logger } from '@liandong/logger';
import { createCheckpointRepository } from './adapters/checkpoint.repository.ts';
import { startEngineRunner, type EngineRunner } from './adapters/engine.runner.ts';
import { startRouter, type Router } from './adapters/sequence.router.ts';
import { SEQUENCE_TOPIC, SEQUENCE_TOPIC_SPEC } from './adapters/sequence.topic.ts';
import { buildCorrelatorApp } from './app.ts';
import type { CorrelatorConfig } from './correlator.config.ts';
import { createCorrelatorMetrics } from './metrics.ts';

export interface CorrelatorOptions {
  logger: Logger;
  /** Called when a consumer crashed for good; defaults to exiting the process. */
  onFatal?: (error: Error) => void;
}

export async function createCorrelator(config: CorrelatorConfig, options: CorrelatorOptions) {
  const { logger } = options;
  const onFatal = options.onFatal ?? (() => process.exit(1));
  let ruleSet: RuleSet = await loadRuleSet(config.CORRELATOR_RULES_DIR ?? DEFAULT_RULES_DIR);
  const pool = createPool({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    applicationName: 'liandong-correlator',
    max: 4,
  });
  const kafka = createKafka({
    brokers: brokerList(config.KAFKA_BROKERS),
    clientId: config.KAFKA_CLIENT_ID ?? 'liandong-correlator',
    logger,
  });
  const producer = createJsonProducer(kafka);
  const probe = createKafkaProbe(kafka);
  const metrics = createCorrelatorMetrics();
  const repository = createCheckpointRepository(pool);
  const topic = (name: string) => namespacedTopic(name, config.KAFKA_TOPIC_PREFIX);
  const group = (name: string) => `${config.KAFKA_TOPIC_PREFIX}${config.CORRELATOR_GROUP}-${name}`;
  const app = await buildCorrelatorApp({
    logger,
    metrics,
    ruleSet: () => ruleSet,
    checks: [
      { name: 'database', check: () => pingDatabase(pool) },
      { name: 'kafka', check: () => probe.check() },
    ],
  });
  let router: Router | undefined;
  let engine: EngineRunner | undefined;

  return {
    app,
    pool,
    metrics,
    ruleSet: () => ruleSet,
    engine: () => engine,
    port(): number {
      return (app.server.address() as AddressInfo).port;
    },
    async start(): Promise<void> {
      await ensureTopics(kafka, [{ ...SEQUENCE_TOPIC_SPEC, name: topic(SEQUENCE_TOPIC) }]);
      await producer.connect();
      await app.listen({ host: config.HOST, port: config.PORT });
      engine = await startEngineRunner({
        kafka,
        producer,
        repository,
        groupId: group('engine'),
        sequenceTopic: topic(SEQUENCE_TOPIC),
        warningsTopic: topic(TOPICS.warnings),
        ruleSet: () => ruleSet,
        engineOptions: { allowedLatenessMinutes: config.CORRELATOR_LATENESS_MINUTES },
        snapshotMs: config.CORRELATOR_SNAPSHOT_MS,
        logger: logger.child({ stage: 'engine' }),
        metrics,
        onFatal,
      });
      router = await startRouter({
        kafka,
        producer,
        groupId: group('router'),
        topics: DEPARTMENT_CODES.map((d) => topic(eventsTopic(d))),
        sequenceTopic: topic(SEQUENCE_TOPIC),
        tickMs: config.CORRELATOR_TICK_MS,
        logger: logger.child({ stage: 'router' }),
        onCopied: (n) => metrics.copied.inc(n),
        onFatal,
      });
    },
    /** Replaces the running rule set (validated by the caller). */
    setRuleSet(next: RuleSet): void {
      ruleSet = next;
    },
    async close(): Promise<void> {
      await router?.stop().catch(() => undefined);
      await engine?.stop().catch(() => undefined);
      await engine?.checkpoint().catch((error: unknown) => logger.warn({ err: error }, 'no final snapshot'));
      await app.close();
      await Promise.allSettled([producer.disconnect(), probe.close()]);
      await pool.end();
    },
  };
}

export type Correlator = Awaited<ReturnType<typeof createCorrelator>>;
