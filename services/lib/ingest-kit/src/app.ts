/**
 * The ingest HTTP app, put together: problem answers, the OpenAPI document, the limit per
 * address, the department key, the push route and the service's own routes (each in http/).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { MAX_BODY_BYTES, type Crs } from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import type { AuditEntryInput } from '@liandong/db';
import type { Logger } from '@liandong/logger';
import type { KeyRepository } from '@liandong/keys';
import type { IngestDefinition } from './definition.ts';
import { createIngestPipeline, type IngestDeps, type IngestPipeline } from './ingest.service.ts';
import type { ConnectorStatus } from './connectors/connector.ts';
import type { NormalizerPool } from './normalize/worker-pool.ts';
import type { IngestMetrics } from './metrics.ts';
import { createRefusalAuditor } from './adapters/refusal.auditor.ts';
import { installProblemHandling } from './http/problem.plugin.ts';
import { registerOpenApi } from './http/openapi.plugin.ts';
import { departmentKeyGuard } from './http/department-key.guard.ts';
import { eventsRoute } from './http/events.route.ts';
import { serviceRoutes, type HealthCheck } from './http/service.routes.ts';

export type { HealthCheck } from './http/service.routes.ts';
export { refusalOf } from './http/events.route.ts';

export interface IngestAppExtras {
  /** Normalizing threads for bodies of at least `offloadBytes` (default 32 KiB). */
  normalizer?: Pick<NormalizerPool, 'normalize' | 'available'>;
  offloadBytes?: number;
  /** Shared with the pull connectors, so pushed and pulled records commit together. */
  pipeline?: IngestPipeline;
  /** Status of the pull connectors, shown on /readyz (an upstream failure does not make the service unready). */
  connectors?: { status(): ConnectorStatus[] };
}

export interface IngestAppDeps extends Omit<IngestDeps, 'metrics' | 'logger'>, IngestAppExtras {
  definition: IngestDefinition;
  logger: Logger;
  metrics: IngestMetrics;
  keys: Pick<KeyRepository, 'authenticate'>;
  audit(entry: AuditEntryInput): Promise<unknown>;
  checks: HealthCheck[];
  sourceSystem: string;
  defaultCrs: Crs;
  /** Requests per client address per minute, counted before authentication. */
  rateLimitPerMinute: number;
  /**
   * Addresses or CIDR ranges of the reverse proxies whose `X-Forwarded-For` is believed
   * (TRUSTED_PROXIES); none by default: the address is the peer's.
   */
  trustedProxies?: string[];
  /** Window in which refused authentications alike are audited as one entry (default 60 s). */
  refusalAuditWindowMs?: number;
}

/** Builds the ingest HTTP app; never listens by itself (tests use app.inject()). */
export async function buildIngestApp(deps: IngestAppDeps) {
  const { definition } = deps;
  // Typed as Fastify's own logger, so the app is the plain FastifyInstance its plugins take.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: MAX_BODY_BYTES,
    // Per-request log lines would cost more than the requests at 1,000/s; metrics count them instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Only a configured proxy may name the client: otherwise any X-Forwarded-For text would
    // become the address in the audit log and escape the limit per address.
    trustProxy: deps.trustedProxies && deps.trustedProxies.length > 0 ? deps.trustedProxies : false,
  });
  const refusals = createRefusalAuditor({
    audit: (entry) => deps.audit(entry),
    ...(deps.refusalAuditWindowMs !== undefined ? { windowMs: deps.refusalAuditWindowMs } : {}),
  });
  app.addHook('onClose', () => refusals.close());

  installProblemHandling(app, 'liandong-ingest');
  await registerOpenApi(app, definition);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `more than ${context.max} requests per minute from this address; slow down`,
        {
          retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
        },
      ),
  });
  // Counted before authentication, by address: requests with bad keys count too, and cannot
  // make the service look each key up and audit it as fast as they come.
  const limitByAddress = app.rateLimit({
    max: deps.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => request.ip,
  });

  await app.register(eventsRoute, {
    definition,
    pipeline: deps.pipeline ?? createIngestPipeline(deps),
    metrics: deps.metrics,
    now: deps.now,
    sourceSystem: deps.sourceSystem,
    defaultCrs: deps.defaultCrs,
    ...(deps.normalizer ? { normalizer: deps.normalizer } : {}),
    ...(deps.offloadBytes !== undefined ? { offloadBytes: deps.offloadBytes } : {}),
    guards: [
      limitByAddress,
      departmentKeyGuard({
        department: definition.department,
        keys: deps.keys,
        metrics: deps.metrics,
        refusals,
      }),
    ],
  });
  await app.register(serviceRoutes, {
    definition,
    metrics: deps.metrics,
    checks: deps.checks,
    ...(deps.connectors ? { connectors: deps.connectors } : {}),
  });
  return app;
}

export type IngestApp = Awaited<ReturnType<typeof buildIngestApp>>;
