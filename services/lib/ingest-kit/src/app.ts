import Fastify, { LogController, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import {
  departmentEntry,
  IngestResponse,
  INGEST_MEDIA_TYPES,
  MAX_BATCH_RECORDS,
  MAX_BODY_BYTES,
  Problem,
  PROBLEM_CONTENT_TYPE,
  type Crs,
} from '@liandong/contracts';
import { AppError, toAppError, toProblem } from '@liandong/errors';
import type { AuditEntryInput } from '@liandong/db';
import type { Logger } from '@liandong/logger';
import type { KeyIdentity, KeyRepository } from '@liandong/keys';
import type { IngestDefinition } from './definition.ts';
import type { NormalizeContext } from './domain/outcome.ts';
import { createIngestPipeline, type IngestDeps, type IngestPipeline } from './ingest.service.ts';
import type { ConnectorStatus } from './connectors/connector.ts';
import { normalizeBody, prepare } from './normalize/body.normalizer.ts';
import type { NormalizerPool } from './normalize/worker-pool.ts';
import { bodyText, parseMediaType } from './media.ts';
import type { IngestMetrics } from './metrics.ts';
import { createRefusalAuditor } from './adapters/refusal.auditor.ts';
import { describeIngestOperation } from './openapi.ts';

export interface HealthCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

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

declare module 'fastify' {
  interface FastifyRequest {
    identity?: KeyIdentity;
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Conflicts named in a 409's detail at most (every one is in `errors`). */
const CONFLICTS_NAMED = 5;

/**
 * What a push's reply refuses, if anything: 400 when a record was not valid (conflicts are
 * listed beside), else 409 when a record reused a source id accepted before with other content.
 * Either way the body also carries the results of every record, the accepted ones included.
 */
export function refusalOf(response: IngestResponse): AppError | undefined {
  const errors = response.results.flatMap((r) => r.errors ?? []);
  const of = `of ${response.results.length} records`;
  const kept = `${response.accepted} accepted and ${response.duplicates} duplicates were kept`;
  if (response.rejected > 0) {
    const conflicts =
      response.conflicts > 0 ? ` and ${response.conflicts} conflicted with what was accepted before` : '';
    return new AppError('validation_failed', `${response.rejected} ${of} were refused${conflicts}; ${kept}`, {
      errors,
    });
  }
  if (response.conflicts === 0) return undefined;
  const named = response.results
    .filter((r) => r.status === 'conflict')
    .slice(0, CONFLICTS_NAMED)
    .map(
      (r) => `${JSON.stringify(r.sourceId)} at ${(r.errors ?? []).map((e) => e.pointer || '/').join(', ')}`,
    );
  const more = response.conflicts > CONFLICTS_NAMED ? ', …' : '';
  return new AppError(
    'conflict',
    `${response.conflicts} ${of} reuse a source id accepted before with other content (${named.join('; ')}${more}): ` +
      `the first accepted state is kept; ${kept}`,
    { errors },
  );
}

/** Builds the ingest HTTP app; never listens by itself (tests use app.inject()). */
export async function buildIngestApp(deps: IngestAppDeps) {
  const { definition } = deps;
  const entry = departmentEntry(definition.department);
  const app = Fastify({
    loggerInstance: deps.logger,
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

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((thrown, request, reply) => {
    let appError: AppError;
    const error = thrown as Error & { code?: string; statusCode?: number };
    const code = error.code;
    if (error instanceof AppError) appError = error;
    else if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      appError = new AppError(
        'payload_too_large',
        `the body exceeds ${MAX_BODY_BYTES} bytes (5 MB): split the batch`,
      );
    else if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH')
      appError = new AppError('malformed_body', error.message);
    else if (error.statusCode === 429) appError = new AppError('rate_limited', error.message);
    else {
      appError = toAppError(error);
      if (appError.code === 'internal') request.log.error({ err: error }, 'unexpected error');
    }
    if (appError.code === 'dependency_unavailable')
      request.log.warn({ err: appError }, 'dependency unavailable');
    const problem = toProblem(appError, request.url);
    if (appError.retryAfterSeconds !== undefined)
      void reply.header('Retry-After', String(appError.retryAfterSeconds));
    if (problem.status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="liandong-ingest"');
    void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `Liandong ingest — ${entry.name.en} (${entry.name.zh})`,
        version: '1',
        description:
          `Pushes records of the ${entry.name.en} department onto Kafka (events.${definition.department}.v1). ` +
          `Accepts ${INGEST_MEDIA_TYPES.join(', ')}; one record or a batch of up to ${MAX_BATCH_RECORDS} (5 MB).`,
      },
      components: {
        securitySchemes: { departmentKey: { type: 'http', scheme: 'bearer', description: 'Department key' } },
      },
    },
    transformObject: describeIngestOperation(definition) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
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

  const pipeline = deps.pipeline ?? createIngestPipeline(deps);

  app.post(
    '/v1/events',
    {
      schema: {
        summary: 'Push one record or a batch',
        description:
          '202 once Kafka acknowledged every accepted record; 400 problem+json naming each refused record and field ' +
          '(the valid records of the batch are accepted all the same); a record whose source id was accepted before is a duplicate ' +
          'when its content is the same, and a conflict (409 problem+json naming each changed field; the first state is kept) when not.',
        security: [{ departmentKey: [] }],
        body: Type.Union([
          ...Object.values(definition.schemas),
          Type.Array(Type.Union(Object.values(definition.schemas)), { maxItems: MAX_BATCH_RECORDS }),
        ]),
        response: {
          202: IngestResponse,
          400: Problem,
          401: Problem,
          403: Problem,
          409: Problem,
          413: Problem,
          415: Problem,
          429: Problem,
          503: Problem,
        },
      },
      // Records are parsed and validated one by one below, to answer per record; the schemas above are for the docs.
      validatorCompiler: () => () => true,
      serializerCompiler: () => (data: unknown) => JSON.stringify(data),
      onRequest: [
        limitByAddress,
        async (request) => {
          const key = bearer(request);
          const ip = request.ip;
          if (!key) {
            deps.metrics.refused.inc({ reason: 'unauthorized' });
            throw new AppError('unauthorized', 'send the department key as "Authorization: Bearer <key>"');
          }
          const identity = await deps.keys.authenticate(key);
          if (!identity) {
            deps.metrics.refused.inc({ reason: 'unauthorized' });
            await refusals.record({
              actor: 'unknown',
              actorRole: 'department-key',
              action: 'ingest.push',
              target: definition.department,
              outcome: 'refused',
              detail: { reason: 'unknown or revoked key' },
              ip,
            });
            throw new AppError('unauthorized', 'the key is unknown or revoked');
          }
          if (identity.department !== definition.department) {
            deps.metrics.refused.inc({ reason: 'forbidden' });
            await refusals.record({
              actor: `key:${identity.keyId}`,
              actorRole: 'department-key',
              action: 'ingest.push',
              target: definition.department,
              outcome: 'refused',
              detail: { reason: 'key of another department', keyDepartment: identity.department },
              ip,
            });
            throw new AppError(
              'forbidden',
              `this key belongs to department "${identity.department}"; this service takes "${definition.department}" records only`,
            );
          }
          request.identity = identity;
        },
      ],
    },
    async (request, reply) => {
      const started = process.hrtime.bigint();
      const mediaType = parseMediaType(request.headers['content-type']);
      const body = request.body as Buffer | undefined;
      if (!body || body.length === 0)
        throw new AppError('malformed_body', 'the body is empty: send a record or a batch');
      const text = bodyText(body);
      const context: NormalizeContext = {
        department: definition.department,
        receivedAt: deps.now(),
        sourceSystem: deps.sourceSystem,
        defaultCrs: deps.defaultCrs,
      };
      const datastreamId = request.headers['x-datastream-id'];
      if (typeof datastreamId === 'string' && datastreamId.trim()) context.datastreamId = datastreamId.trim();
      // Large bodies are normalized on a normalizing thread, small ones here (a hop costs more than they do).
      const { outcomes, format } =
        deps.normalizer?.available() && body.length >= (deps.offloadBytes ?? 32_768)
          ? await deps.normalizer.normalize(mediaType, text, context)
          : (() => {
              const normalized = normalizeBody(definition, mediaType, text, context);
              return { outcomes: prepare(normalized.outcomes), format: normalized.format };
            })();
      const response = await pipeline.ingest(outcomes, mediaType, format);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const refusal = refusalOf(response);
      if (refusal) {
        const problem = toProblem(refusal, request.url);
        deps.metrics.requestSeconds.observe({ status: String(problem.status) }, seconds);
        return reply
          .status(problem.status as 400 | 409)
          .type(PROBLEM_CONTENT_TYPE)
          .send({ ...problem, ...response });
      }
      deps.metrics.requestSeconds.observe({ status: '202' }, seconds);
      return reply.status(202).send(response);
    },
  );

  app.get(
    '/v1/schema',
    { schema: { summary: 'JSON Schemas of the records this service accepts' } },
    async () => ({
      department: definition.department,
      name: entry.name,
      formats: entry.feeds,
      mediaTypes: INGEST_MEDIA_TYPES,
      maxBatchRecords: MAX_BATCH_RECORDS,
      maxBodyBytes: MAX_BODY_BYTES,
      schemas: definition.schemas,
    }),
  );

  app.get('/healthz', { schema: { summary: 'Alive' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'Dependencies reachable' } }, async (_request, reply) => {
    const results = await Promise.all(deps.checks.map(async (c) => [c.name, await c.check()] as const));
    const ready = results.every(([, r]) => r.ok);
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      checks: Object.fromEntries(results),
      connectors: deps.connectors?.status() ?? [],
    });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );

  return app;
}

export type IngestApp = Awaited<ReturnType<typeof buildIngestApp>>;
