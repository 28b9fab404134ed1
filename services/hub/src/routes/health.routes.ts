import { Type } from '@sinclair/typebox';
import { PUBLIC } from '../domain/access.ts';
import type { HubDeps, HubServer } from '../deps.ts';

/** Alive, ready (PostgreSQL and Kafka reachable), Prometheus metrics. */
export function healthRoutes(app: HubServer, deps: HubDeps) {
  app.get(
    '/healthz',
    { config: { access: PUBLIC }, schema: { tags: ['health'], summary: 'Alive' } },
    async () => ({
      status: 'ok',
    }),
  );

  app.get(
    '/readyz',
    { config: { access: PUBLIC }, schema: { tags: ['health'], summary: 'Dependencies reachable' } },
    async (_request, reply) => {
      const results = await Promise.all(deps.checks.map(async (c) => [c.name, await c.check()] as const));
      const ready = results.every(([, r]) => r.ok);
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
    },
  );

  app.get(
    '/metrics',
    { config: { access: PUBLIC }, schema: { hide: true, response: { 200: Type.String() } } },
    async (_request, reply) =>
      reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
}
