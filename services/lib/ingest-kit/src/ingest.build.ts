import type { Crs } from '@liandong/contracts';
import type { AuditEntryInput } from '@liandong/db';
import type { JsonProducer } from '@liandong/kafka';
import type { KeyRepository } from '@liandong/keys';
import type { Logger } from '@liandong/logger';
import type { CursorRepository } from './adapters/cursor.repository.ts';
import type { RecordRepository } from './adapters/record.repository.ts';
import { buildIngestApp, type HealthCheck, type IngestApp } from './app.ts';
import type { PullConnector } from './connectors/connector.ts';
import { startConnectors, type ConnectorRunner } from './connectors/connector.runner.ts';
import type { IngestDefinition } from './definition.ts';
import { createIngestPipeline, type IngestPipeline } from './ingest.service.ts';
import { createIngestMetrics, type IngestMetrics } from './metrics.ts';
import type { NormalizerPool } from './normalize/worker-pool.ts';

/** Everything an ingest service is built from; main.ts passes real adapters, tests fakes or test ones. */
export interface IngestServiceDeps {
  definition: IngestDefinition;
  topicPrefix: string;
  producer: JsonProducer;
  records: RecordRepository;
  keys: Pick<KeyRepository, 'authenticate'>;
  audit(entry: AuditEntryInput): Promise<unknown>;
  logger: Logger;
  checks: HealthCheck[];
  /** Requests per client address per minute (counted before authentication). */
  rateLimitPerMinute: number;
  trustedProxies?: string[];
  refusalAuditWindowMs?: number;
  sourceSystem?: string;
  defaultCrs?: Crs;
  now?: () => Date;
  metrics?: IngestMetrics;
  maxCommitsInFlight?: number;
  maxMessageBytes?: number;
  maxQueuedRequests?: number;
  commitTimeoutMs?: number;
  /** Longest a commit waits for a source id another request is producing (CLAIM_WAIT_MS). */
  claimWaitMs?: number;
  /** Fault injection between Kafka's acknowledgement and the publish mark (see IngestDeps). */
  afterProduce?: () => void;
  normalizer?: Pick<NormalizerPool, 'normalize' | 'available'>;
  offloadBytes?: number;
  /** Pull connectors beside the push endpoint, sharing its pipeline (need `cursors`). */
  connectors?: PullConnector[];
  cursors?: CursorRepository;
  backoff?: { baseMs: number; maxMs: number };
}

export interface IngestService {
  app: IngestApp;
  pipeline: IngestPipeline;
  connectors: ConnectorRunner;
  metrics: IngestMetrics;
  /** Stops the connectors, then the app (in-flight requests finish); adapters are the caller's to close. */
  close(): Promise<void>;
}

/** The one wiring of an ingest service: pipeline, pull connectors and HTTP app. Never listens. */
export async function buildIngestService(deps: IngestServiceDeps): Promise<IngestService> {
  const { definition } = deps;
  const metrics = deps.metrics ?? createIngestMetrics(definition.department);
  const common = {
    department: definition.department,
    service: `ingest-${definition.department}`,
    topicPrefix: deps.topicPrefix,
    producer: deps.producer,
    records: deps.records,
    metrics,
    logger: deps.logger,
    now: deps.now ?? (() => new Date()),
    ...(deps.maxCommitsInFlight !== undefined ? { maxCommitsInFlight: deps.maxCommitsInFlight } : {}),
    ...(deps.maxMessageBytes !== undefined ? { maxMessageBytes: deps.maxMessageBytes } : {}),
    ...(deps.maxQueuedRequests !== undefined ? { maxQueuedRequests: deps.maxQueuedRequests } : {}),
    ...(deps.commitTimeoutMs !== undefined ? { commitTimeoutMs: deps.commitTimeoutMs } : {}),
    ...(deps.claimWaitMs !== undefined ? { claimWaitMs: deps.claimWaitMs } : {}),
    ...(deps.afterProduce ? { afterProduce: deps.afterProduce } : {}),
  };
  const sourceSystem = deps.sourceSystem ?? definition.sourceSystem;
  const defaultCrs = deps.defaultCrs ?? 'WGS84';
  const pipeline = createIngestPipeline(common);
  const pull = deps.connectors ?? [];
  if (pull.length > 0 && !deps.cursors) throw new Error('pull connectors need a cursor repository');
  const connectors = startConnectors(pull, {
    ...common,
    pipeline,
    cursors: deps.cursors as CursorRepository,
    sourceSystem,
    defaultCrs,
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
  });
  const app = await buildIngestApp({
    ...common,
    definition,
    pipeline,
    connectors,
    keys: deps.keys,
    audit: (entry) => deps.audit(entry),
    sourceSystem,
    defaultCrs,
    rateLimitPerMinute: deps.rateLimitPerMinute,
    checks: deps.checks,
    ...(deps.trustedProxies ? { trustedProxies: deps.trustedProxies } : {}),
    ...(deps.refusalAuditWindowMs !== undefined ? { refusalAuditWindowMs: deps.refusalAuditWindowMs } : {}),
    ...(deps.normalizer ? { normalizer: deps.normalizer } : {}),
    ...(deps.offloadBytes !== undefined ? { offloadBytes: deps.offloadBytes } : {}),
  });
  return {
    app,
    pipeline,
    connectors,
    metrics,
    async close() {
      await connectors.stop();
      await app.close();
    },
  };
}
