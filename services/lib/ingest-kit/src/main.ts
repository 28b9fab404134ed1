import { brokerList, loadConfig, redactConfig } from '@liandong/config';
import { departmentEntry } from '@liandong/contracts';
import { backoffDelayMs, DEFAULT_RETRY_POLICY } from '@liandong/errors';
import { appendAudit, createPool, pingDatabase } from '@liandong/db';
import { createKafka, createKafkaProbe } from '@liandong/kafka';
import { createEventProducer } from '@liandong/kafka';
import { createLogger } from '@liandong/logger';
import { createKeyRepository } from '@liandong/keys';
import { createRecordRepository } from './adapters/record.repository.ts';
import { buildIngestService } from './ingest.build.ts';
import type { IngestDefinition } from './definition.ts';
import { ingestConfigSchema } from './ingest.config.ts';
import { createIngestMetrics } from './metrics.ts';
import { createCursorRepository } from './adapters/cursor.repository.ts';
import { buildConnectors } from './connectors/build-connectors.ts';
import { createNormalizerPool } from './normalize/worker-pool.ts';
import { startAuditHead } from './adapters/audit-head.adapter.ts';

/**
 * Composition of an ingest service: configuration → logger → PostgreSQL and Kafka → HTTP app →
 * listen; SIGTERM/SIGINT close it gracefully (in-flight requests finish, then the producer and
 * the pool close).
 */
export interface RunOptions {
  /**
   * The module that exports the definition (`new URL('./definition.ts', import.meta.url)`) and the
   * export's name, so normalizing threads can load it; without it bodies are normalized in-thread.
   */
  definitionModule?: URL;
  exportName?: string;
}

export async function runIngestService(
  definition: IngestDefinition,
  options: RunOptions = {},
): Promise<void> {
  const serviceName = `ingest-${definition.department}`;
  const entry = departmentEntry(definition.department);
  const schema = ingestConfigSchema({
    port: entry.ingestPort ?? 8100,
    sourceSystem: definition.sourceSystem,
  });
  let config;
  try {
    config = loadConfig(schema);
  } catch (error) {
    console.error(`${serviceName}: ${(error as Error).message}`);
    process.exit(78);
  }
  const logger = createLogger({ service: serviceName, level: config.LOG_LEVEL });
  logger.info({ config: redactConfig(schema, config) }, 'starting');

  const pool = createPool({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    applicationName: serviceName,
    max: config.COMMITS_IN_FLIGHT + 4,
  });
  const kafka = createKafka({
    brokers: brokerList(config.KAFKA_BROKERS),
    clientId: config.KAFKA_CLIENT_ID ?? serviceName,
    logger,
  });
  const producer = createEventProducer(kafka, {
    retries: config.PRODUCE_RETRIES,
    maxMessageBytes: config.KAFKA_MAX_MESSAGE_BYTES,
    logger,
  });
  const probe = createKafkaProbe(kafka);
  const metrics = createIngestMetrics(definition.department);

  // Kafka may come up after us: keep trying in the background; until then pushes get 503.
  let connected = false;
  const connect = async (): Promise<void> => {
    for (let attempt = 1; !connected; attempt += 1) {
      try {
        await producer.connect();
        connected = true;
        logger.info('connected to Kafka');
      } catch (error) {
        // The project's one back-off (errors/backoffDelayMs), capped at 30 s: a broker down for
        // an hour is not asked every 2 s by every service.
        const delayMs = backoffDelayMs(attempt, DEFAULT_RETRY_POLICY);
        logger.warn({ err: error, retryInMs: delayMs }, 'Kafka not reachable yet; retrying');
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  };
  void connect();

  let connectors;
  try {
    connectors = buildConnectors(definition, config);
  } catch (error) {
    logger.fatal((error as Error).message);
    process.exit(78);
  }
  const normalizer =
    options.definitionModule && options.exportName && config.NORMALIZE_THREADS > 0
      ? createNormalizerPool({
          definitionModule: options.definitionModule,
          exportName: options.exportName,
          threads: config.NORMALIZE_THREADS,
          logger,
        })
      : undefined;

  const service = await buildIngestService({
    definition,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    producer,
    records: createRecordRepository(pool, { leaseMs: config.CLAIM_LEASE_MS }),
    keys: createKeyRepository(pool, { ttlMs: config.KEY_CACHE_TTL_MS }),
    audit: (entryInput) => appendAudit(pool, entryInput),
    logger,
    metrics,
    checks: [
      { name: 'kafka', check: () => probe.check() },
      { name: 'database', check: () => pingDatabase(pool) },
    ],
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    trustedProxies: config.TRUSTED_PROXIES.split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    sourceSystem: config.SOURCE_SYSTEM,
    defaultCrs: config.DEFAULT_CRS,
    maxCommitsInFlight: config.COMMITS_IN_FLIGHT,
    maxMessageBytes: config.KAFKA_MAX_MESSAGE_BYTES,
    maxQueuedRequests: config.COMMIT_QUEUE_MAX,
    commitTimeoutMs: config.COMMIT_WAIT_TIMEOUT_MS,
    claimWaitMs: config.CLAIM_WAIT_MS,
    ...(config.FAULT_KILL_AFTER_PRODUCE
      ? {
          afterProduce: () => {
            logger.fatal(
              'FAULT_KILL_AFTER_PRODUCE: killing this process after a produce, as the fault test asked',
            );
            process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
    ...(normalizer ? { normalizer, offloadBytes: config.NORMALIZE_OFFLOAD_BYTES } : {}),
    connectors,
    cursors: createCursorRepository(pool),
  });
  const { app } = service;
  const auditHead = startAuditHead({
    pool,
    kafka,
    producer,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    service: serviceName,
    intervalMs: config.AUDIT_HEAD_INTERVAL_MS,
    logger,
  });
  if (connectors.length) logger.info({ connectors: connectors.map((c) => c.id) }, 'polling upstream sources');

  await app.listen({ host: config.HOST, port: config.PORT });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await auditHead?.stop();
    await service.close();
    await normalizer?.close();
    await Promise.allSettled([producer.disconnect(), probe.close(), pool.end()]);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
