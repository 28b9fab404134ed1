/**
 * The access matrix, generated from the route table: every route the app registered (fastify's
 * onRoute) is tried by every role and by an anonymous caller, and must be allowed or refused
 * (401 anonymous, 403 a role) exactly as the table below says. A route missing from the table
 * fails the test, so a new route cannot be forgotten. Also: CSRF, Origin, security headers,
 * cookie flags, login throttling, session idle timeout, own sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsTopic, TOPICS, type AuthSession, type NormalizedEvent } from '@liandong/contracts';
import { createJsonProducer, createKafka } from '@liandong/kafka';
import { createKeyAdministration } from '@liandong/keys';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { createUserRepository } from '@liandong/users';
import {
  login,
  seedUsers,
  startTestHub,
  TEST_PASSWORD,
  testWarning,
  type Client,
  type TestHub,
} from './hub.testing.ts';

type Who = 'anonymous' | 'operator' | 'liaison' | 'analyst' | 'admin';
const WHO: Who[] = ['anonymous', 'operator', 'liaison', 'analyst', 'admin'];
const PUBLIC: Who[] = WHO;
const SIGNED_IN: Who[] = ['operator', 'liaison', 'analyst', 'admin'];

/** Who may call each route. Written by hand: the test compares it with the route table. */
const EXPECTED: Record<string, Who[]> = {
  // The console (a stand-in build): its files and the SPA fallback are public.
  'GET /*': PUBLIC,
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  'GET /metrics': PUBLIC,
  'GET /docs': PUBLIC,
  'GET /docs/static/index.html': PUBLIC,
  'GET /docs/static/swagger-initializer.js': PUBLIC,
  'GET /docs/json': PUBLIC,
  'GET /docs/yaml': PUBLIC,
  'GET /docs/static/*': PUBLIC,
  'POST /api/v1/auth/login': PUBLIC,
  'POST /api/v1/auth/logout': SIGNED_IN,
  'GET /api/v1/auth/session': SIGNED_IN,
  'GET /api/v1/auth/sessions': SIGNED_IN,
  'DELETE /api/v1/auth/sessions/:id': SIGNED_IN,
  'POST /api/v1/auth/password': SIGNED_IN,
  'GET /api/v1/warnings': SIGNED_IN,
  'GET /api/v1/warnings/:id': SIGNED_IN,
  'POST /api/v1/warnings/:id/acknowledge': ['operator', 'liaison'],
  'POST /api/v1/warnings/:id/resolve': ['operator'],
  'GET /api/v1/escalations': SIGNED_IN,
  'GET /api/v1/warnings/:id/cap': SIGNED_IN,
  'GET /api/v1/cap/feed.atom': SIGNED_IN,
  'GET /api/v1/reports/warnings/:id': ['operator', 'analyst', 'admin'],
  'GET /api/v1/reports/period': ['operator', 'analyst', 'admin'],
  'GET /api/v1/events': SIGNED_IN,
  'GET /api/v1/events/points': SIGNED_IN,
  'GET /api/v1/events/:id': SIGNED_IN,
  'GET /api/v1/feeds/health': SIGNED_IN,
  'GET /api/v1/audit': ['analyst', 'admin'],
  'GET /api/v1/audit/verify': ['analyst', 'admin'],
  'GET /api/v1/users': ['admin'],
  'POST /api/v1/users': ['admin'],
  'PATCH /api/v1/users/:username': ['admin'],
  'POST /api/v1/users/:username/password': ['admin'],
  'GET /api/v1/keys': ['admin'],
  'POST /api/v1/keys': ['admin'],
  'DELETE /api/v1/keys/:id': ['admin'],
  // Notifications (notify/).
  'GET /api/v1/notification-channels': ['admin'],
  'POST /api/v1/notification-channels': ['admin'],
  'PATCH /api/v1/notification-channels/:id': ['admin'],
  'DELETE /api/v1/notification-channels/:id': ['admin'],
  'GET /api/v1/feeds/health/channels': SIGNED_IN,
  'GET /api/v1/warnings/:id/notifications': SIGNED_IN,
};

const consoleDir = mkdtempSync(join(tmpdir(), 'hub-console-'));
writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><div id="root"></div>');

/** A police event, so that a police liaison may read it (GET /api/v1/events/:id). */
const MATRIX_EVENT = '5a1e0c3e-6a55-5b8e-9d3c-2a4f1e7c9b10';
const matrixEvent: NormalizedEvent = {
  id: MATRIX_EVENT,
  department: 'police',
  source: { system: 'matrix', format: 'police-json', id: 'matrix-1' },
  kind: 'incident',
  category: 'social_security',
  type: 'police.fight',
  severity: 'Moderate',
  status: 'Exercise',
  msgType: 'Alert',
  references: [],
  occurredAt: new Date().toISOString(),
  receivedAt: new Date().toISOString(),
  location: { type: 'Point', coordinates: [113.15, 23.04] },
  texts: [],
  measurements: [],
  attributes: {},
  geocodes: [],
  raw: { contentType: 'application/json', body: '{}' },
};

const USERNAME: Record<Exclude<Who, 'anonymous'>, string> = {
  operator: 'operator',
  liaison: 'liaison-police',
  analyst: 'analyst',
  admin: 'admin',
};

describe('hub: access matrix and security', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: TestHub;
  let keyId: string;
  let channelId: string;
  let clock = new Date();

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db.pool);
    await createUserRepository(db.pool).create(
      { username: 'target-user', role: 'analyst', password: TEST_PASSWORD },
      { username: 'test', role: 'admin' },
    );
    keyId = (
      await createKeyAdministration(db.pool).create('police', 'matrix', { username: 'test', role: 'admin' })
    ).id;
    channelId = (
      await db.pool.query<{ id: string }>(
        `INSERT INTO notification_channels (kind, recipient, levels, target, created_by)
         VALUES ('webhook', 'unit:water', '{red}', '{"url": "http://127.0.0.1:9/matrix"}', 'test') RETURNING id`,
      )
    ).rows[0]!.id;
    hub = await startTestHub({
      db,
      kafka,
      now: () => clock,
      env: {
        LOGIN_MAX_FAILURES_PER_USER: '3',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
        CONSOLE_DIR: consoleDir,
      },
    });
    const producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 't', logger: testLogger() }),
    );
    await producer.connect();
    const warnings = ['matrix-ack', 'matrix-resolve', 'matrix-other'].map((id) =>
      testWarning({ id, departments: id === 'matrix-other' ? ['water'] : ['police', 'emergency'] }),
    );
    await producer.send([
      { topic: kafka.topic(TOPICS.warnings), messages: warnings.map((w) => ({ key: w.id, value: w })) },
      { topic: kafka.topic(eventsTopic('police')), messages: [{ key: MATRIX_EVENT, value: matrixEvent }] },
    ]);
    await producer.disconnect();
    for (let i = 0; i < 200; i++) {
      const { rows } = await db.pool.query<{ n: number; e: number }>(
        'SELECT (SELECT count(*)::int FROM warnings) AS n, (SELECT count(*)::int FROM events) AS e',
      );
      if (rows[0]?.n === 3 && rows[0].e === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await hub?.close();
    await kafka?.close();
    await db?.close();
  });

  function requestFor(method: string, url: string, who: Who, session?: AuthSession) {
    const params: Record<string, string> = {
      '/api/v1/warnings/:id': 'matrix-ack',
      '/api/v1/warnings/:id/cap': 'matrix-ack',
      '/api/v1/reports/warnings/:id': 'matrix-ack',
      '/api/v1/warnings/:id/acknowledge': 'matrix-ack',
      '/api/v1/warnings/:id/resolve': 'matrix-resolve',
      '/api/v1/auth/sessions/:id': session?.sessionId ?? 'none',
      '/api/v1/users/:username': 'target-user',
      '/api/v1/users/:username/password': 'target-user',
      '/api/v1/keys/:id': keyId,
      '/api/v1/notification-channels/:id': channelId,
      '/api/v1/warnings/:id/notifications': 'matrix-ack',
      '/api/v1/events/:id': MATRIX_EVENT,
    };
    const queries: Record<string, string> = {
      '/api/v1/reports/period': '?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z',
    };
    const path =
      url
        .replace(/:[a-z]+/, params[url] ?? 'x')
        .replace('/docs/static/*', '/docs/static/index.html')
        .replace('/*', '/anything') + (queries[url] ?? '');
    const bodies: Record<string, unknown> = {
      'POST /api/v1/auth/login': {
        username: USERNAME[who === 'anonymous' ? 'operator' : who],
        password: TEST_PASSWORD,
      },
      'POST /api/v1/auth/password': { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD },
      'POST /api/v1/warnings/:id/acknowledge': who === 'operator' ? { department: 'emergency' } : {},
      'POST /api/v1/warnings/:id/resolve': { disposition: 'false_alarm' },
      'POST /api/v1/users': { username: `made-by-${who}`, role: 'analyst' },
      'PATCH /api/v1/users/:username': { displayName: `renamed by ${who}` },
      'POST /api/v1/keys': { department: 'water', label: 'matrix' },
      'POST /api/v1/notification-channels': {
        recipient: 'unit:water',
        levels: ['red'],
        target: { kind: 'webhook', url: 'http://127.0.0.1:9/matrix' },
      },
      'PATCH /api/v1/notification-channels/:id': { label: `renamed by ${who}` },
    };
    const body = bodies[`${method} ${url}`] ?? (['POST', 'PATCH'].includes(method) ? {} : undefined);
    return { path, body };
  }

  it('every route of the route table is in the matrix, and every role is allowed or refused as it says', async () => {
    const table = hub.hub.routes.map((r) => `${r.method} ${r.url}`);
    expect([...new Set(table)].sort()).toEqual(Object.keys(EXPECTED).sort());
    const outcomes: string[] = [];
    for (const { method, url } of hub.hub.routes) {
      for (const who of WHO) {
        // A fresh session per call: some routes end it (logout) or change the user.
        const client: Client | undefined =
          who === 'anonymous' ? undefined : await login(hub.url, USERNAME[who]);
        const { path, body } = requestFor(method, url, who, client?.session);
        const headers: Record<string, string> = { 'idempotency-key': `matrix-${who}-${url}` };
        const response = client
          ? await client.request(method, path, body, headers)
          : await fetch(`${hub.url}${path}`, {
              method,
              headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
              ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            });
        const allowed = EXPECTED[`${method} ${url}`]?.includes(who) ?? false;
        const status = response.status;
        const ok = allowed ? status < 400 : status === (who === 'anonymous' ? 401 : 403);
        outcomes.push(`${ok ? 'ok ' : 'BAD'} ${method} ${url} ${who} → ${status}`);
        await response.arrayBuffer();
      }
    }
    const bad = outcomes.filter((o) => o.startsWith('BAD'));
    expect(bad, outcomes.join('\n')).toEqual([]);
    expect(outcomes.length).toBe(table.length * WHO.length);
    console.log(`access matrix: ${table.length} routes × ${WHO.length} callers = ${outcomes.length} checks`);
  }, 240_000);

  it('documents every API route in the OpenAPI document at /docs/json, with schemas from contracts', async () => {
    const doc = (await (await fetch(`${hub.url}/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const route of hub.hub.routes.filter((r) => r.url.startsWith('/api/'))) {
      const path = route.url.replace(/:([a-z]+)/g, '{$1}');
      expect(doc.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined();
    }
    const warning = doc.paths['/api/v1/warnings/{id}']?.['get']?.responses?.['200'] as {
      content: Record<string, { schema: { properties: Record<string, unknown> } }>;
    };
    expect(Object.keys(warning.content['application/json']?.schema.properties ?? {})).toEqual(
      expect.arrayContaining(['warning', 'revisions', 'evidenceEvents', 'escalations', 'activity']),
    );
  });

  it('a liaison sees and acknowledges what is routed to its unit only', async () => {
    const water = await login(hub.url, 'liaison-water');
    expect((await water.request('GET', '/api/v1/warnings/matrix-ack')).status).toBe(403);
    const list = (await (await water.request('GET', '/api/v1/warnings')).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((w) => w.id)).toEqual(['matrix-other']);
    const ack = await water.request(
      'POST',
      '/api/v1/warnings/matrix-ack/acknowledge',
      {},
      { 'idempotency-key': 'water-tries-police' },
    );
    expect(ack.status).toBe(403);
    expect((await water.request('GET', '/api/v1/warnings?unit=police')).status).toBe(403);
    const { rows } = await db.pool.query<{ actor: string; target: string }>(
      "SELECT actor, target FROM audit_log WHERE action = 'access.refused' AND actor = 'liaison-water'",
    );
    expect(rows.length).toBe(3);
  });

  it('refuses a write without the CSRF token, or from a foreign Origin, and records the refusal', async () => {
    const operator = await login(hub.url, 'operator');
    const noToken = await fetch(`${hub.url}/api/v1/warnings/matrix-other/resolve`, {
      method: 'POST',
      headers: { cookie: operator.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ disposition: 'duplicate' }),
    });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { detail: string }).detail).toMatch(/x-csrf-token/);
    const foreign = await operator.request(
      'POST',
      '/api/v1/warnings/matrix-other/resolve',
      { disposition: 'duplicate' },
      {
        origin: 'https://evil.example',
      },
    );
    expect(foreign.status).toBe(403);
    const loginFromElsewhere = await fetch(`${hub.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ username: 'operator', password: TEST_PASSWORD }),
    });
    expect(loginFromElsewhere.status).toBe(403);
    const form = await fetch(`${hub.url}/api/v1/warnings/matrix-other/resolve`, {
      method: 'POST',
      headers: {
        cookie: operator.cookie,
        'x-csrf-token': operator.csrf,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'disposition=duplicate',
    });
    expect(form.status).toBe(415);
    const detail = (await (await operator.request('GET', '/api/v1/warnings/matrix-other')).json()) as {
      warning: { status: string };
    };
    expect(detail.warning.status).toBe('active');
  });

  it('sends security headers on every response and sets the session cookie httpOnly, SameSite=Lax', async () => {
    for (const path of ['/healthz', '/api/v1/warnings', '/api/v1/nothing', '/docs/json']) {
      const response = await fetch(`${hub.url}${path}`);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(response.headers.get('content-security-policy') ?? '', path).toMatch(/default-src 'self'/);
    }
    const problem = await fetch(`${hub.url}/api/v1/warnings`);
    expect(problem.status).toBe(401);
    expect(problem.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const response = await fetch(`${hub.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'analyst', password: TEST_PASSWORD }),
    });
    const [session] = response.headers.getSetCookie().filter((c) => c.startsWith('ld_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/); // COOKIE_SECURE=false without TLS
  });

  it('throttles failed logins per user (also for the right password) and says when to retry', async () => {
    const attempt = (password: string) =>
      fetch(`${hub.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'target-user', password }),
      });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong password!')).status).toBe(401);
    const blocked = await attempt(TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    const unknown = await fetch(`${hub.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'whatever it is' }),
    });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { detail: string }).detail).toBe('wrong username or password');
    const { rows } = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.login' AND outcome = 'refused' AND actor = 'target-user'",
    );
    expect(rows[0]?.n).toBe(4);
  });

  it('ends a session idle for 30 minutes; a user lists and ends their own sessions', async () => {
    const a = await login(hub.url, 'analyst');
    const b = await login(hub.url, 'analyst');
    const sessions = (await (await a.request('GET', '/api/v1/auth/sessions')).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    expect(sessions.sessions.find((s) => s.current)?.id).toBe(a.session.sessionId);
    expect(sessions.sessions.map((s) => s.id)).toContain(b.session.sessionId);
    expect((await a.request('DELETE', `/api/v1/auth/sessions/${b.session.sessionId}`)).status).toBe(204);
    expect((await b.request('GET', '/api/v1/auth/session')).status).toBe(401);
    expect((await a.request('GET', '/api/v1/auth/session')).status).toBe(200);
    clock = new Date(clock.getTime() + 31 * 60_000);
    try {
      expect((await a.request('GET', '/api/v1/auth/session')).status).toBe(401);
    } finally {
      clock = new Date();
    }
  });
});
