import { afterEach, describe, expect, it } from 'vitest';
import type { DepartmentCode } from '@liandong/contracts';
import type { OutgoingRecord, Sender } from './adapters/sender.ts';
import { buildSimulatorApp } from './app.ts';
import { SCENARIOS } from './domain/scenarios/index.ts';
import { createSimulation } from './simulation.ts';

/** The sender seam: records what would have been posted to the ingest services. */
function recordingSender() {
  const sent: OutgoingRecord[] = [];
  const sender: Sender = {
    send: async (records) => {
      sent.push(...records);
    },
    stats: () => ({}),
  };
  return { sender, sent };
}

describe('simulator control API', () => {
  let clock = 0;
  const setup = async (options: { token?: string; down?: DepartmentCode } = {}) => {
    const { sender, sent } = recordingSender();
    const simulation = createSimulation({
      sender,
      seed: 1,
      runId: 'r',
      speed: 60,
      status: 'Exercise',
      background: false,
      now: () => clock,
    });
    const app = await buildSimulatorApp({
      simulation,
      scenarios: SCENARIOS,
      ingestUrl: (d) => `http://ingest/${d}/healthz`,
      ...(options.token ? { controlToken: options.token } : {}),
      log: () => undefined,
      fetch: (async (url: string) =>
        url.includes(`/${options.down}/`)
          ? Promise.reject(new Error('connect ECONNREFUSED'))
          : new Response('{"status":"ok"}')) as typeof fetch,
    });
    return { app, simulation, sent };
  };
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => close?.());

  it('lists runs with their ids, refuses a second run of a running scenario (409 naming the run), stops a run', async () => {
    const { app } = await setup();
    close = () => app.close();
    const first = await app.inject({ method: 'POST', url: '/scenarios/rainstorm' });
    expect(first.statusCode).toBe(202);
    const { runId } = first.json<{ runId: string }>();

    const second = await app.inject({ method: 'POST', url: '/scenarios/rainstorm' });
    expect(second.statusCode).toBe(409);
    expect(second.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(second.json<{ detail: string }>().detail).toContain(`DELETE /runs/${runId}`);

    const concurrent = await app.inject({ method: 'POST', url: '/scenarios/rainstorm?concurrent=true' });
    expect(concurrent.statusCode).toBe(202);

    const runs = (await app.inject({ url: '/runs' })).json<
      { runId: string; state: string; scenario: string }[]
    >();
    expect(runs.map((r) => [r.scenario, r.state])).toEqual([
      ['rainstorm', 'running'],
      ['rainstorm', 'running'],
    ]);
    expect((await app.inject({ url: '/status' })).json<{ runs: { runId: string }[] }>().runs[0]?.runId).toBe(
      runId,
    );

    const stopped = await app.inject({ method: 'DELETE', url: `/runs/${runId}` });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json()).toMatchObject({ runId, state: 'stopped' });
    const again = await app.inject({ method: 'DELETE', url: `/runs/${runId}` });
    expect(again.statusCode).toBe(404);
    expect(again.json<{ detail: string }>().detail).toBe(`run ${runId} is not running (it is stopped)`);
    expect(
      (await app.inject({ method: 'DELETE', url: '/runs/nope' })).json<{ detail: string }>().detail,
    ).toBe('no run nope');
    // While the concurrent run goes on, a plain start is still refused; once it is stopped too,
    // the scenario starts again without asking.
    expect((await app.inject({ method: 'POST', url: '/scenarios/rainstorm' })).statusCode).toBe(409);
    const other = concurrent.json<{ runId: string }>().runId;
    expect((await app.inject({ method: 'DELETE', url: `/runs/${other}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/scenarios/rainstorm' })).statusCode).toBe(202);
    expect((await app.inject({ method: 'POST', url: '/scenarios/nowhere' })).statusCode).toBe(404);
  });

  it('sends nothing more of a stopped run', async () => {
    const { app, simulation, sent } = await setup();
    close = async () => {
      await simulation.stop(0);
      await app.close();
    };
    simulation.start(5);
    const { runId } = (await app.inject({ method: 'POST', url: '/scenarios/food-poisoning' })).json<{
      runId: string;
    }>();
    clock += 5 * 60_000;
    await new Promise((r) => setTimeout(r, 50));
    const before = sent.length;
    expect(before).toBeGreaterThan(0);
    await app.inject({ method: 'DELETE', url: `/runs/${runId}` });
    clock += 60 * 60_000;
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.length).toBe(before);
  });

  it('sends a late report with the time it happened: 150 simulated minutes before it is sent', async () => {
    const { app, simulation, sent } = await setup();
    close = async () => {
      await simulation.stop(0);
      await app.close();
    };
    simulation.start(5);
    await app.inject({ method: 'POST', url: '/scenarios/food-poisoning' });
    const late = () =>
      sent.find((r) => (r.body as { facility?: string }).facility === '桂城街道社区卫生服务中心');
    clock += (174 * 60_000) / 60;
    await new Promise((r) => setTimeout(r, 50));
    expect(late()).toBeUndefined();
    clock += (2 * 60_000) / 60;
    await new Promise((r) => setTimeout(r, 50));
    const body = late()?.body as { occurredAt: string };
    // Sent now; it happened 150 simulated minutes (150 s at speed 60) before.
    expect(Date.parse(body.occurredAt)).toBe(Math.floor((clock - 150_000) / 1000) * 1000);
  });

  it('answers /readyz 503 naming the ingest service that does not answer, serves /metrics and /docs', async () => {
    const { app } = await setup({ down: 'water' });
    close = () => app.close();
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      status: 'not_ready',
      checks: {
        police: { ok: true },
        water: { ok: false, error: expect.stringContaining('ECONNREFUSED') as string },
      },
    });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('simulator_runs_active 0');
    const docs = await app.inject({ url: '/docs/json' });
    expect(Object.keys(docs.json<{ paths: object }>().paths)).toEqual(
      expect.arrayContaining(['/readyz', '/runs', '/runs/{runId}', '/scenarios/{name}']),
    );
  });

  it('wants the control token everywhere but /healthz when one is set', async () => {
    const { app } = await setup({ token: 'a-token-of-sixteen-chars' });
    close = () => app.close();
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/runs' })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/runs', headers: { authorization: 'Bearer a-token-of-sixteen-chars' } }))
        .statusCode,
    ).toBe(200);
  });
});
