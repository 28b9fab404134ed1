/**
 * What the service says of itself: the schemas it accepts (/v1/schema), whether it is alive
 * (/healthz) and ready — its dependencies reachable, its pull connectors' state (/readyz) — and
 * its Prometheus metrics (/metrics).
 */
import type { FastifyPluginAsync } from 'fastify';
import { departmentEntry, INGEST_MEDIA_TYPES, MAX_BATCH_RECORDS, MAX_BODY_BYTES } from '@liandong/contracts';
import type { ConnectorStatus } from '../connectors/connector.ts';
import type { IngestDefinition } from '../definition.ts';
import type { IngestMetrics } from '../metrics.ts';

export interface HealthCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface ServiceRoutesDeps {
  definition: IngestDefinition;
  metrics: IngestMetrics;
  checks: HealthCheck[];
  /** Status of the pull connectors, shown on /readyz (an upstream failure does not make the service unready). */
  connectors?: { status(): ConnectorStatus[] };
}

/** Registered with `app.register(serviceRoutes, deps)`. */
export const serviceRoutes: FastifyPluginAsync<ServiceRoutesDeps> = async (app, deps) => {
  const { definition } = deps;
  const entry = departmentEntry(definition.department);

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
};
