/**
 * POST /v1/events: one record or a batch, in any of the department's formats. Each record is
 * normalized and validated on its own; the valid ones are produced to Kafka and answered 202
 * once Kafka acknowledged them, and the reply names every refused record and field (400) or
 * changed resend (409) beside the results of all.
 */
import type { FastifyPluginAsync, onRequestAsyncHookHandler, onRequestHookHandler } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  IngestResponse,
  MAX_BATCH_RECORDS,
  Problem,
  PROBLEM_CONTENT_TYPE,
  type Crs,
} from '@liandong/contracts';
import { AppError, toProblem } from '@liandong/errors';
import type { IngestDefinition } from '../definition.ts';
import type { NormalizeContext } from '../domain/outcome.ts';
import type { IngestPipeline } from '../ingest.service.ts';
import { normalizeBody, prepare } from '../normalize/body.normalizer.ts';
import type { NormalizerPool } from '../normalize/worker-pool.ts';
import { bodyText, parseMediaType } from '../media.ts';
import type { IngestMetrics } from '../metrics.ts';

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

export interface EventsRouteDeps {
  definition: IngestDefinition;
  pipeline: IngestPipeline;
  metrics: IngestMetrics;
  now(): Date;
  sourceSystem: string;
  defaultCrs: Crs;
  /** Normalizing threads for bodies of at least `offloadBytes` (default 32 KiB). */
  normalizer?: Pick<NormalizerPool, 'normalize' | 'available'>;
  offloadBytes?: number;
  /** Run before the body is read: the limit per address, then the department key. */
  guards: (onRequestHookHandler | onRequestAsyncHookHandler)[];
}

/** Registered with `app.register(eventsRoute, deps)`. */
export const eventsRoute: FastifyPluginAsync<EventsRouteDeps> = async (app, deps) => {
  const { definition } = deps;
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
      onRequest: deps.guards,
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
      const response = await deps.pipeline.ingest(outcomes, mediaType, format);
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
};
