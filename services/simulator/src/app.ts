/**
 * The simulator's control API, like every Liandong service: /healthz, /readyz (the ingest
 * services it feeds answer), /metrics (Prometheus), /docs (OpenAPI), plus its own: the status,
 * the scenarios, their runs (started, listed with their ids, stopped).
 */
import { timingSafeEqual } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { DEPARTMENT_CODES, type DepartmentCode } from '@liandong/contracts';
import type { SenderStats } from './adapters/sender.ts';
import type { Scenario } from './domain/sim-record.ts';
import { ScenarioRunning, type createSimulation } from './simulation.ts';

type Simulation = ReturnType<typeof createSimulation>;

export interface SimulatorAppDeps {
  simulation: Simulation;
  scenarios: readonly Scenario[];
  /** Where each department's ingest service answers /healthz. */
  ingestUrl(department: DepartmentCode): string;
  /** Bearer token the control API requires (all but /healthz); open when undefined. */
  controlToken?: string;
  log(level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>): void;
  fetch?: typeof fetch;
}

const Problem = Type.Object(
  {
    type: Type.Optional(Type.String()),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
  },
  { $id: 'Problem' },
);
const RunView = Type.Object({
  runId: Type.String(),
  scenario: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  sent: Type.Integer(),
  total: Type.Integer(),
  state: Type.Union([Type.Literal('running'), Type.Literal('finished'), Type.Literal('stopped')]),
  endedAt: Type.Optional(Type.String({ format: 'date-time' })),
});
const problemReply = { content: { 'application/problem+json': { schema: Problem } } };

function problem(reply: FastifyReply, status: number, title: string, detail: string) {
  return reply.status(status).type('application/problem+json').send({ title, status, detail });
}

export async function buildSimulatorApp(deps: SimulatorAppDeps): Promise<FastifyInstance> {
  const get = deps.fetch ?? fetch;
  const app = Fastify({ logger: false });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labels = ['department', 'outcome'] as const;
  new Gauge({
    name: 'simulator_records',
    help: 'Records sent to the ingest services since start, by department and outcome',
    labelNames: labels,
    registers: [registry],
    collect() {
      this.reset();
      const sent: Record<string, SenderStats> = deps.simulation.status().sent;
      for (const [department, stats] of Object.entries(sent))
        for (const outcome of Object.keys(stats) as (keyof SenderStats)[])
          this.set({ department, outcome }, stats[outcome]);
    },
  });
  new Gauge({
    name: 'simulator_runs_active',
    help: 'Scenario runs in progress',
    registers: [registry],
    collect() {
      this.set(deps.simulation.runs().filter((r) => r.state === 'running').length);
    },
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Liandong feed simulator',
        version: '1',
        description:
          'Plays the six departments’ everyday feeds over Nanhai and scripted scenarios through the real ingest services, in Exercise status unless configured otherwise.',
      },
      components: deps.controlToken
        ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }
        : {},
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const token = deps.controlToken;
  app.addHook('onRequest', async (request, reply) => {
    if (!token || request.url === '/healthz') return;
    const given = Buffer.from(request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '');
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return problem(
        reply,
        401,
        'Authentication is required',
        'send Authorization: Bearer <SIM_CONTROL_TOKEN>',
      );
  });

  app.get('/healthz', { schema: { summary: 'Alive' } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { summary: 'The ingest services it feeds answer' } },
    async (_request, reply) => {
      const checks = await Promise.all(
        DEPARTMENT_CODES.map(async (department) => {
          const url = deps.ingestUrl(department);
          try {
            const response = await get(url, { signal: AbortSignal.timeout(2000) });
            return [
              department,
              response.ok ? { ok: true } : { ok: false, error: `${url} answered ${response.status}` },
            ] as const;
          } catch (error) {
            return [department, { ok: false, error: `${url}: ${(error as Error).message}` }] as const;
          }
        }),
      );
      const ready = checks.every(([, c]) => c.ok);
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(checks) });
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );

  app.get(
    '/status',
    { schema: { summary: 'Speed, status, runs and what was sent per department' } },
    async () => deps.simulation.status(),
  );
  app.get(
    '/scenarios',
    { schema: { summary: 'The scripted scenarios and what a duty officer should see' } },
    async () =>
      deps.scenarios.map((s) => ({
        name: s.name,
        title: s.title,
        durationMinutes: s.durationMs / 60_000,
        expected: s.expected,
      })),
  );
  app.post<{ Params: { name: string }; Querystring: { concurrent?: boolean } }>(
    '/scenarios/:name',
    {
      schema: {
        summary: 'Start a run of a scenario (one at a time unless concurrent=true)',
        params: Type.Object({ name: Type.String() }),
        querystring: Type.Object({ concurrent: Type.Optional(Type.Boolean()) }),
        response: {
          202: Type.Object({ scenario: Type.String(), runId: Type.String() }),
          404: problemReply,
          409: problemReply,
        },
      },
    },
    async (request, reply) => {
      const scenario = deps.scenarios.find((s) => s.name === request.params.name);
      if (!scenario)
        return problem(
          reply,
          404,
          'Not found',
          `no scenario "${request.params.name}": ${deps.scenarios.map((s) => s.name).join(', ')}`,
        );
      try {
        const run = deps.simulation.startScenario(scenario, {
          concurrent: request.query.concurrent === true,
        });
        deps.log('info', `scenario ${scenario.name} started (on request)`, run);
        return reply.status(202).send({ scenario: scenario.name, ...run });
      } catch (error) {
        if (!(error instanceof ScenarioRunning)) throw error;
        return problem(
          reply,
          409,
          'Scenario already running',
          `${error.message} (${error.running.sent} of ${error.running.total} records sent): stop it with DELETE /runs/${error.running.runId}, or start another with ?concurrent=true`,
        );
      }
    },
  );
  app.get(
    '/runs',
    { schema: { summary: 'Scenario runs, running first', response: { 200: Type.Array(RunView) } } },
    async () => deps.simulation.runs(),
  );
  app.delete<{ Params: { runId: string } }>(
    '/runs/:runId',
    {
      schema: {
        summary: 'Stop a running run: nothing more of it is sent',
        params: Type.Object({ runId: Type.String() }),
        response: { 200: RunView, 404: problemReply },
      },
    },
    async (request, reply) => {
      const stopped = deps.simulation.stopRun(request.params.runId);
      if (!stopped) {
        const known = deps.simulation.runs().find((r) => r.runId === request.params.runId);
        return problem(
          reply,
          404,
          'Not found',
          known
            ? `run ${known.runId} is not running (it is ${known.state})`
            : `no run ${request.params.runId}`,
        );
      }
      deps.log('info', `run ${stopped.runId} of ${stopped.scenario} stopped (on request)`, {
        sent: stopped.sent,
      });
      return stopped;
    },
  );
  return app;
}
