/** The correlator's HTTP side: health, readiness, metrics, API docs and the running rule set. */
import Fastify, { LogController } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { RuleSet, RuleSetIssue } from '@liandong/correlation-engine';
import type { Logger } from '@liandong/logger';
import type { CorrelatorMetrics } from './metrics.ts';
import { ruleShards } from './domain/rule.shards.ts';

export interface HealthCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface CorrelatorAppDeps {
  logger: Logger;
  metrics: CorrelatorMetrics;
  checks: HealthCheck[];
  ruleSet(): RuleSet;
  /** How many shards the rules are divided into, and those this instance runs now. */
  shards(): { count: number; here: number[] };
  /** The running set's fingerprint and since when it runs; the last refused read of the folder. */
  rulesState(): {
    fingerprint: string | undefined;
    since: string;
    refused: { at: string; trigger: string; issues: RuleSetIssue[] } | undefined;
  };
}

const RuleSummary = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  family: Type.String(),
  category: Type.String(),
  enabled: Type.Boolean(),
  file: Type.String(),
  shard: Type.Integer({
    description: 'the shard (partition of correlator.shards.v1) whose engine runs the rule',
  }),
});

const Refusal = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    trigger: Type.String({ description: 'start, file (the folder changed) or signal (SIGHUP)' }),
    issues: Type.Array(
      Type.Object({
        file: Type.String(),
        rule: Type.Optional(Type.String()),
        field: Type.String({ description: 'JSON pointer in the rule, empty for the whole file' }),
        message: Type.String(),
      }),
    ),
  },
  { description: 'The last read of the rule folder that failed validation; the running set stayed.' },
);

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
        description:
          'The rules the engine runs now. The correlator reads its rule folder when it starts, when a file in it changes and on SIGHUP; a valid set takes effect at its place in the input sequence, a set that fails validation is refused (`refused`) and the running set stays.',
        response: {
          200: Type.Object({
            fingerprint: Type.Union([Type.String(), Type.Null()], {
              description:
                'SHA-256 of the running set’s files (null: restored from a snapshot older than reloads)',
            }),
            since: Type.String({ format: 'date-time', description: 'when the engine took this set' }),
            rules: Type.Array(RuleSummary),
            shards: Type.Object(
              {
                count: Type.Integer({ description: 'the shards (CORRELATOR_SHARDS)' }),
                here: Type.Array(Type.Integer(), {
                  description: 'the shards this instance runs now (Kafka assigns them in the consumer group)',
                }),
              },
              { description: 'The rules are divided between the correlators of the group by shard' },
            ),
            refused: Type.Optional(Refusal),
          }),
        },
      },
    },
    async () => {
      const ruleSet = deps.ruleSet();
      const state = deps.rulesState();
      const shards = deps.shards();
      const shardOf = ruleShards(ruleSet.rules, shards.count);
      return {
        fingerprint: state.fingerprint ?? null,
        since: state.since,
        ...(state.refused ? { refused: state.refused } : {}),
        rules: ruleSet.rules.map((r) => ({
          id: r.id,
          version: r.version,
          family: r.family,
          category: r.category,
          enabled: r.enabled !== false,
          file: ruleSet.origins.get(r.id) ?? '',
          shard: shardOf.get(r.id) ?? 0,
        })),
        shards,
      };
    },
  );
  return app;
}
