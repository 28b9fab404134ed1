/**
 * Black box: `pnpm start`'s orchestrator brings up every service and the simulator on this run's
 * broker and database (shifted ports, own topics and schema); the simulator's feeds of all six
 * departments arrive on Kafka as normalized Exercise events; Ctrl-C stops everything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPARTMENT_CODES, UNIT_CODES, eventsTopic, TOPICS, type NormalizedEvent } from '@liandong/contracts';
import { kafkaAnswers, kafkaStatus, REPO_ROOT, stopKafka } from '@liandong/infra';
import {
  testDatabaseAppUrl,
  testDatabaseUrl,
  testKafka,
  uniqueName,
  type TestKafka,
} from '@liandong/testkit';
import pg from 'pg';

// A random offset per run, so that two checkouts testing at once on one machine never share a port.
const OFFSET = 1000 + 100 * Math.floor(Math.random() * 200);
const SIMULATOR = `http://127.0.0.1:${8190 + OFFSET}`;
const HUB = `http://127.0.0.1:${8080 + OFFSET}`;

describe('pnpm start, end to end', () => {
  let kafka: TestKafka;
  let system: ChildProcess;
  let output = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'liandong-e2e-'));
  const schema = uniqueName('e2e_').toLowerCase();

  beforeAll(async () => {
    kafka = await testKafka();
    system = spawn(process.execPath, ['--import', 'tsx', 'infra/src/cli/start.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        LIANDONG_PORT_OFFSET: String(OFFSET),
        LIANDONG_DATA_DIR: dataDir,
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: kafka.prefix,
        // Migrations as the owner, services as the app role (which may not alter the audit log).
        DATABASE_ADMIN_URL: testDatabaseUrl(),
        DATABASE_URL: testDatabaseAppUrl(),
        DATABASE_SCHEMA: schema,
        SIM_SPEED: '300',
        // Every push goes through the services' normalizing threads, so they are tested end to end.
        NORMALIZE_OFFLOAD_BYTES: '0',
        AUDIT_HEAD_INTERVAL_MS: '2000',
        SIM_SCENARIOS: 'none',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    system.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    system.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 300_000;
    while (!output.includes('all services are up')) {
      if (Date.now() > deadline || system.exitCode !== null)
        throw new Error(`the system did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 330_000);

  afterAll(async () => {
    if (system && system.exitCode === null) system.kill('SIGKILL');
    await kafka?.close();
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('every service answers /readyz, and the simulator feeds all six departments onto Kafka as Exercise events', async () => {
    for (const port of [8080, 8101, 8102, 8103, 8104, 8105, 8106, 8120]) {
      const ready = await fetch(`http://127.0.0.1:${port + OFFSET}/readyz`);
      expect(ready.status, `port ${port + OFFSET}`).toBe(200);
    }
    for (const scenario of ['rainstorm', 'crowd-gathering', 'hazmat-river']) {
      const started = await fetch(`${SIMULATOR}/scenarios/${scenario}`, { method: 'POST' });
      expect(started.status).toBe(202);
    }
    const formats = new Set<string>();
    for (const department of DEPARTMENT_CODES) {
      const messages = await kafka.readMessages(kafka.topic(eventsTopic(department)), 3, 90_000);
      const events = messages.map((m) => JSON.parse(m.value?.toString() ?? '{}') as NormalizedEvent);
      expect(events.every((e) => e.department === department && e.status === 'Exercise')).toBe(true);
      for (const e of events) formats.add(e.source.format);
    }
    expect(formats).toContain('sensorthings-1.1');
    expect(formats).toContain('open311-v2-json');
    expect(formats).toContain('police-json');
    // The rainstorm's CAP warning from the water bureau arrives too: one reader, from the start
    // of the topic, until it sees it.
    const isCap = (m: { value: Buffer | null }) =>
      (JSON.parse(m.value?.toString() ?? '{}') as NormalizedEvent).source.format === 'cap-1.2';
    const water = await kafka.readMessages(kafka.topic(eventsTopic('water')), Infinity, 150_000, isCap);
    expect(water.some(isCap)).toBe(true);
    const status = (await (await fetch(`${SIMULATOR}/status`)).json()) as {
      sent: Record<string, { refused: number; failed: number }>;
    };
    for (const [department, stats] of Object.entries(status.sent)) {
      expect(stats, department).toMatchObject({ refused: 0, failed: 0 });
    }
    // The audit log's head (the demo keys were created with audit entries) is on Kafka, out of
    // the database owner's reach.
    const [head] = await kafka.readMessages(kafka.topic(TOPICS.auditHead), 1, 60_000);
    expect(JSON.parse(head?.value?.toString() ?? '{}')).toMatchObject({
      log: `${new URL(testDatabaseUrl()).pathname.slice(1)}/${schema}`,
      seq: expect.any(Number) as number,
    });
  }, 300_000);

  it('the hub serves the demo users: each signs in; a warning on warnings.v1 reaches the API, a liaison acknowledges, the operator resolves', async () => {
    const credentials = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as {
      users: { username: string; password: string; role: string; department: string | null }[];
      keys: Record<string, string>;
    };
    expect(credentials.users.map((u) => u.username).sort()).toEqual(
      ['admin', 'analyst', 'operator', ...UNIT_CODES.map((u) => `liaison-${u}`)].sort(),
    );
    expect(Object.keys(credentials.keys).sort()).toEqual([...DEPARTMENT_CODES].sort());
    expect((await fetch(`${HUB}/readyz`)).status).toBe(200);
    const sessions = new Map<string, { cookie: string; csrf: string }>();
    for (const user of credentials.users) {
      const response = await fetch(`${HUB}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: user.username, password: user.password }),
      });
      expect(response.status, user.username).toBe(200);
      const body = (await response.json()) as {
        csrfToken: string;
        user: { role: string; department: string | null };
      };
      expect(body.user).toMatchObject({ role: user.role, department: user.department });
      const cookie = response.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      sessions.set(user.username, { cookie, csrf: body.csrfToken });
    }
    const call = (who: string, method: string, path: string, body?: unknown) => {
      const session = sessions.get(who);
      return fetch(`${HUB}${path}`, {
        method,
        headers: {
          cookie: session?.cookie ?? '',
          'x-csrf-token': session?.csrf ?? '',
          'idempotency-key': `e2e-${who}-${path}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    };
    // Until the correlator runs in pnpm start, the test plays it: a warning on warnings.v1.
    const at = new Date().toISOString();
    const warning = {
      id: 'e2e-hub-1',
      ruleId: 'cooccurrence-generic',
      ruleVersion: 1,
      revision: 1,
      level: 'orange',
      category: 'natural_disaster',
      status: 'active',
      exercise: true,
      departments: ['water', 'emergency'],
      evidence: ['0b5f0c3e-6a55-5b8e-9d3c-2a4f1e7c9b10'],
      raisedAt: at,
      updatedAt: at,
      firstEvidenceAt: at,
      lastEvidenceAt: at,
      title: { zh: '测试预警', en: 'Test warning' },
      summary: { zh: '测试', en: 'Test' },
      area: {
        type: 'Polygon',
        coordinates: [
          [
            [113.1, 23],
            [113.2, 23],
            [113.2, 23.1],
            [113.1, 23],
          ],
        ],
      },
      centroid: { type: 'Point', coordinates: [113.15, 23.05] },
      thresholds: [],
    };
    const producer = kafka.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: kafka.topic('warnings.v1'),
      messages: [{ key: warning.id, value: JSON.stringify(warning) }],
    });
    await producer.disconnect();
    await expect
      .poll(async () => (await call('liaison-water', 'GET', `/api/v1/warnings/${warning.id}`)).status, {
        timeout: 60_000,
      })
      .toBe(200);
    expect((await call('liaison-police', 'GET', `/api/v1/warnings/${warning.id}`)).status).toBe(403);
    expect(
      (await call('liaison-water', 'POST', `/api/v1/warnings/${warning.id}/acknowledge`, { note: '收到' }))
        .status,
    ).toBe(200);
    expect(
      (await call('operator', 'POST', `/api/v1/warnings/${warning.id}/resolve`, { disposition: 'confirmed' }))
        .status,
    ).toBe(200);
    const verify = (await (await call('analyst', 'GET', '/api/v1/audit/verify')).json()) as { ok: boolean };
    expect(verify.ok).toBe(true);
    // The simulator's events reach the hub's event projection.
    await expect
      .poll(
        async () =>
          ((await (await call('operator', 'GET', '/api/v1/events?limit=5')).json()) as { items: unknown[] })
            .items.length,
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0);
  }, 180_000);

  it("the README's First push examples work as written: each department's record and a CAP warning are accepted, then duplicates, and pnpm tail shows them", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## First push'),
      readme.indexOf('\n## ', readme.indexOf('## First push') + 3),
    );
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    // As a user runs them, but on this run's shifted ports, data folder and topics.
    const asHere = (block: string) =>
      block
        .replace(/127\.0\.0\.1:(\d+)/g, (_, port: string) => `127.0.0.1:${Number(port) + OFFSET}`)
        .replaceAll('./.data/demo-credentials.json', join(dataDir, 'demo-credentials.json'));
    const run = (block: string) =>
      spawnSync('bash', ['-euo', 'pipefail', '-c', asHere(block)], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: kafka.prefix },
      });
    const pushes = blocks.filter((b) => b.includes('curl'));
    expect(pushes).toHaveLength(7);
    for (const [i, block] of pushes.entries()) {
      const first = run(block);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout, `example ${i + 1}:\n${block}`).toMatch(/^HTTP\/1\.1 202/);
      expect(first.stdout).toContain('"status":"accepted"');
      const again = run(block);
      expect(again.stdout, `example ${i + 1} sent again`).toContain('"status":"duplicate"');
    }
    const tail = blocks.find((b) => b.startsWith('pnpm -s tail'));
    const tailed = run(tail as string);
    expect(tailed.status, tailed.stderr).toBe(0);
    expect(tailed.stdout).toContain('JJ-DEMO-0001');
    expect(tailed.stdout.trim().split('\n')).toHaveLength(1);
  }, 300_000);

  it('stops every process on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => system.once('exit', (code) => resolve(code)));
    system.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${8101 + OFFSET}/healthz`)).rejects.toThrow();
  }, 60_000);
});

/**
 * Ctrl-C in a terminal: the terminal signals the whole process group, and pnpm forwards one more
 * SIGINT. `pnpm start` here starts a broker of its own (own port, own data folder; the shared
 * broker is never touched), gets SIGINT twice on its process group, and must stop that broker.
 */
describe('pnpm start, Ctrl-C in a terminal', () => {
  const kafkaPort = 19192 + 2 * Math.floor(Math.random() * 400);
  const offset = 1000 + 100 * Math.floor(Math.random() * 200);
  const schema = uniqueName('e2e_').toLowerCase();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LIANDONG_DATA_DIR: mkdtempSync(join(tmpdir(), 'liandong-e2e-sigint-')),
    KAFKA_PORT: String(kafkaPort),
    KAFKA_HEAP: '384m',
  };
  delete env['KAFKA_BROKERS'];
  let system: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    if (system?.pid !== undefined && system.exitCode === null) process.kill(-system.pid, 'SIGKILL');
    // Whatever happened, no broker of this test outlives it.
    await stopKafka({ port: kafkaPort, env, log: () => undefined });
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('stops the broker it started when SIGINT comes twice to its process group', async () => {
    system = spawn(process.execPath, ['--import', 'tsx', 'infra/src/cli/start.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...env,
        LIANDONG_PORT_OFFSET: String(offset),
        DATABASE_ADMIN_URL: testDatabaseUrl(),
        DATABASE_URL: testDatabaseAppUrl(),
        DATABASE_SCHEMA: schema,
        SIM_SCENARIOS: 'none',
        LOG_LEVEL: 'warn',
      },
      // A process group of its own, as a terminal gives a command.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = system;
    started.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    started.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    // Signalled once the services are being started (and, where this busy machine allows, once
    // the first answers): a second system on two shared cores may take long to come up in full.
    const deadline = Date.now() + 240_000;
    while (!output.includes('demo credentials:')) {
      if (Date.now() > deadline || started.exitCode !== null)
        throw new Error(`the system did not get to its services:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const answered = Date.now() + 45_000;
    while (Date.now() < answered) {
      const up = await fetch(`http://127.0.0.1:${8101 + offset}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(output).toContain(`Kafka on 127.0.0.1:${kafkaPort}`);
    const broker = await kafkaStatus({ port: kafkaPort, env });
    expect(broker.answering).toBe(true);
    expect(broker.pid).toBeGreaterThan(0);

    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
    const group = -(started.pid as number);
    process.kill(group, 'SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    process.kill(group, 'SIGINT');
    expect(await exited, output).toBe(0);

    expect(() => process.kill(broker.pid as number, 0)).toThrow();
    expect(await kafkaAnswers('127.0.0.1', kafkaPort)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${8101 + offset}/healthz`)).rejects.toThrow();
  }, 420_000);
});
