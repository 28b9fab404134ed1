/** The correlator's HTTP side: health, readiness, metrics, API docs and the running rule set. */
import Fastify, { LogController } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { RuleSet } from '@liandong/correlation-engine';
import type { Logger } from '@liandong/logger';
import type { CorrelatorMetrics } from './metrics.ts';

export interface HealthCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface CorrelatorAppDeps {
  logger: Logger;
  metrics: CorrelatorMetrics;
  checks: HealthCheck[];
  ruleSet(): RuleSet;
}

const RuleSummary = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  family: Type.String(),
  category: Type.String(),
  enabled: Type.Boolean(),
  file: Type.String(),
});

/** Builds the app; never listens by itself (tests use app.inject()). */
export async function buildCorrelatorApp(deps: CorrelatorAppDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Liandong correlator',
        version: '1',
        description:
          'Runs the correlation engine live on the six events topics and produces warnings to warnings.v1.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { tags: ['health'], summary: 'Alive' } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Kafka and PostgreSQL reachable' } },
    async (_request, reply) => {
      const results = await Promise.all(deps.checks.map(async (c) => [c.name, await c.check()] as const));
      const ready = results.every(([, r]) => r.ok);
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  app.get(
    '/v1/rules',
    {
      schema: {
        tags: ['rules'],
        summary: 'The running rule set, with versions',
        response: { 200: Type.Object({ rules: Type.Array(RuleSummary) }) },
      },
    },
    async () => {
      const ruleSet = deps.ruleSet();
      return {
        rules: ruleSet.rules.map((r) => ({
          id: r.id,
          version: r.version,
          family: r.family,
          category: r.category,
          enabled: r.enabled !== false,
          file: ruleSet.origins.get(r.id) ?? '',
        })),
      };
    },
  );
  return app;
}
