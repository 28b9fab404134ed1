/** Test support for the hub's integration tests: a real hub on the run's broker and database. */
import { UNIT_CODES, type AuthSession, type Role, type Warning } from '@liandong/contracts';
import { createUserRepository } from '@liandong/users';
import type { Pool } from '@liandong/db';
import { testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { loadHubConfig } from './hub.config.ts';
import { createHub, type Hub } from './hub.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestHub {
  hub: Hub;
  url: string;
  close(): Promise<void>;
}

export async function startTestHub(options: {
  db: TestDatabase;
  kafka: TestKafka;
  env?: Record<string, string>;
  now?: () => Date;
  sessionCheckMs?: number;
}): Promise<TestHub> {
  const config = loadHubConfig({
    DATABASE_URL: options.db.url,
    DATABASE_SCHEMA: options.db.schema,
    KAFKA_BROKERS: options.kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: options.kafka.prefix,
    PORT: '0',
    LOG_LEVEL: 'silent',
    PUSH_POLL_MS: '250',
    ESCALATION_SCAN_MS: '200',
    ...options.env,
  });
  const hub = await createHub(config, {
    logger: testLogger('hub'),
    ...(options.now ? { now: options.now } : {}),
    ...(options.sessionCheckMs ? { sessionCheckMs: options.sessionCheckMs } : {}),
  });
  await hub.start();
  return { hub, url: `http://127.0.0.1:${hub.port()}`, close: () => hub.close() };
}

export interface TestUser {
  username: string;
  role: Role;
  department: string | null;
}

/** An operator, an analyst, an admin and a liaison per unit, all with TEST_PASSWORD. */
export async function seedUsers(pool: Pool): Promise<TestUser[]> {
  const users = createUserRepository(pool);
  const wanted: TestUser[] = [
    { username: 'operator', role: 'operator', department: null },
    { username: 'analyst', role: 'analyst', department: null },
    { username: 'admin', role: 'admin', department: null },
    ...UNIT_CODES.map((u) => ({ username: `liaison-${u}`, role: 'liaison' as const, department: u })),
  ];
  for (const u of wanted)
    await users.create(
      {
        username: u.username,
        role: u.role,
        password: TEST_PASSWORD,
        ...(u.department ? { department: u.department as (typeof UNIT_CODES)[number] } : {}),
      },
      { username: 'test', role: 'admin' },
    );
  return wanted;
}

export interface Client {
  cookie: string;
  csrf: string;
  session: AuthSession;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** Signs in over HTTP and returns a client that sends the cookie and the CSRF token. */
export async function login(url: string, username: string, password = TEST_PASSWORD): Promise<Client> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200)
    throw new Error(`login of ${username}: ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const session = (await response.json()) as AuthSession;
  return {
    cookie,
    csrf: session.csrfToken,
    session,
    request: (method, path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          cookie,
          'x-csrf-token': session.csrfToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}

/** A valid Warning (contract) for tests to produce onto warnings.v1. */
export function testWarning(overrides: Partial<Warning> & { id: string }): Warning {
  const at = new Date().toISOString();
  return {
    ruleId: 'cooccurrence-generic',
    ruleVersion: 1,
    revision: 1,
    level: 'yellow',
    category: 'natural_disaster',
    status: 'active',
    exercise: true,
    departments: ['water', 'emergency'],
    evidence: ['0b5f0c3e-6a55-5b8e-9d3c-2a4f1e7c9b10'],
    raisedAt: at,
    updatedAt: at,
    firstEvidenceAt: at,
    lastEvidenceAt: at,
    title: { zh: '桂城街道：暴雨内涝风险', en: 'Guicheng: rainstorm waterlogging risk' },
    summary: { zh: '河道水位超警戒。', en: 'River over its warning level.' },
    area: {
      type: 'Polygon',
      coordinates: [
        [
          [113.14, 23.04],
          [113.16, 23.04],
          [113.16, 23.06],
          [113.14, 23.04],
        ],
      ],
    },
    centroid: { type: 'Point', coordinates: [113.15, 23.05] },
    thresholds: [{ name: 'events', value: 4, threshold: 3 }],
    ...overrides,
  };
}
