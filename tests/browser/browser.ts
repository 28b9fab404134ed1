/// <reference lib="dom" />
/**
 * Browser-test support: Debian's Chromium driven by playwright-core (never a downloaded browser),
 * a hub on the run's broker and database serving the built console, screenshots under
 * .data/screenshots/, and the fixtures the console tests send through Kafka.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  DEPARTMENT_CODES,
  NANHAI_TOWNS,
  UNIT_CODES,
  VOCABULARIES,
  eventsTopic,
  TOPICS,
  type DepartmentCode,
  type NormalizedEvent,
  type Warning,
} from '@liandong/contracts';
import { createHub, loadHubConfig, type Hub } from '@liandong/hub';
import { consoleBuildState, REPO_ROOT } from '@liandong/infra';
import { createJsonProducer, createKafka, type JsonProducer } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { createUserRepository } from '@liandong/users';

export const PASSWORD = 'correct horse battery staple';
export const WEB_DIR = join(REPO_ROOT, 'web');
export const SCREENSHOTS = join(REPO_ROOT, '.data', 'screenshots');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** web/dist, built here when missing or older than its sources (CI and pnpm start build it before). */
export function ensureConsoleBuilt(): string {
  const dist = join(WEB_DIR, 'dist');
  if (consoleBuildState(WEB_DIR) !== 'fresh')
    execFileSync('pnpm', ['-s', 'build:web'], { cwd: REPO_ROOT, stdio: 'inherit' });
  return dist;
}

/** The built bundle: raw and gzip bytes of its scripts and styles. */
export function bundleSize(dist: string): { files: number; raw: number; gzip: number } {
  const assets = join(dist, 'assets');
  let raw = 0;
  let gzip = 0;
  let files = 0;
  for (const name of readdirSync(assets)) {
    if (!/\.(js|css)$/.test(name)) continue;
    const body = readFileSync(join(assets, name));
    files += 1;
    raw += statSync(join(assets, name)).size;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  return { files, raw, gzip };
}

export interface ConsoleHub {
  hub: Hub;
  url: string;
  close(): Promise<void>;
}

/**
 * A hub serving the console. `env` adds to or overrides its settings (shorter deadlines, say);
 * `port` puts it on a given port (a restarted hub where the console had its first one).
 */
export async function startConsoleHub(
  db: TestDatabase,
  kafka: TestKafka,
  consoleDir: string,
  options: { env?: Record<string, string>; port?: number } = {},
): Promise<ConsoleHub> {
  const config = loadHubConfig({
    DATABASE_URL: db.url,
    DATABASE_SCHEMA: db.schema,
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.prefix,
    PORT: String(options.port ?? 0),
    LOG_LEVEL: process.env['CONSOLE_HUB_LOG_LEVEL'] ?? 'silent',
    PUSH_POLL_MS: '250',
    ESCALATION_SCAN_MS: '500',
    CONSOLE_DIR: consoleDir,
    API_RATE_LIMIT_PER_MINUTE: '100000',
    ...options.env,
  });
  const hub = await createHub(config, { logger: testLogger('hub') });
  await hub.start();
  return { hub, url: `http://127.0.0.1:${hub.port()}`, close: () => hub.close() };
}

/** An operator, an analyst and a liaison per unit. */
export async function seedUsers(db: TestDatabase): Promise<void> {
  const users = createUserRepository(db.pool);
  const actor = { username: 'test', role: 'admin' as const };
  await users.create(
    { username: 'operator', displayName: '张值班', role: 'operator', password: PASSWORD },
    actor,
  );
  await users.create(
    { username: 'analyst', displayName: '李分析', role: 'analyst', password: PASSWORD },
    actor,
  );
  for (const unit of UNIT_CODES)
    await users.create(
      { username: `liaison-${unit}`, role: 'liaison', department: unit, password: PASSWORD },
      actor,
    );
}

/** Playwright gives the browser a fresh, temporary user-data-dir of its own (it refuses one in args). */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** A page with no way out to tile servers (the offline case, and no waiting on the network). */
export async function newPage(browser: Browser, viewport = { width: 1600, height: 1000 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Europe/Berlin' });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`[browser] page error: ${error.message}`));
  return page;
}

export async function signIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(`${url}/queue`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=who]');
}

/** Moves within the console as its own links do (no page load): the History API and popstate. */
export async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    history.pushState(null, '', to);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

let shot = 0;
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  shot += 1;
  const path = join(SCREENSHOTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path, fullPage });
  console.log(`[screenshot] ${path}`);
  return path;
}

/**
 * What a console browser test runs on: its own database schema and topics, the users, a hub
 * serving the built console, a producer to play the correlator and the feeds, and Chromium.
 * `hub` is the running hub (a test may replace it: close() closes the one it finds).
 */
export interface ConsoleRig {
  db: TestDatabase;
  kafka: TestKafka;
  dist: string;
  hub: ConsoleHub;
  kafkaOut: JsonProducer;
  browser: Browser;
  close(): Promise<void>;
}

export async function startConsoleRig(hubEnv: Record<string, string> = {}): Promise<ConsoleRig> {
  const dist = ensureConsoleBuilt();
  const [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
  await seedUsers(db);
  const hub = await startConsoleHub(db, kafka, dist, { env: hubEnv });
  const kafkaOut = await producer(kafka);
  const chromium = await launchChromium();
  const rig: ConsoleRig = {
    db,
    kafka,
    dist,
    hub,
    kafkaOut,
    browser: chromium.browser,
    async close() {
      await chromium.close();
      await kafkaOut.disconnect();
      await rig.hub.close();
      await kafka.close();
      await db.close();
    },
  };
  return rig;
}

export async function producer(kafka: TestKafka): Promise<JsonProducer> {
  const p = createJsonProducer(
    createKafka({ brokers: kafka.brokers, clientId: 'browser-test', logger: testLogger() }),
  );
  await p.connect();
  return p;
}

export async function sendWarning(p: JsonProducer, kafka: TestKafka, warning: Warning): Promise<void> {
  await p.send([{ topic: kafka.topic(TOPICS.warnings), messages: [{ key: warning.id, value: warning }] }]);
}

/** A warning as the correlator raises it, around a Nanhai town. */
export function warning(overrides: Partial<Warning> & { id: string }): Warning {
  const at = new Date().toISOString();
  const [lon, lat] = [113.152, 23.036];
  const d = 0.012;
  return {
    ruleId: 'cooccurrence-generic',
    ruleVersion: 1,
    revision: 1,
    level: 'red',
    category: 'natural_disaster',
    status: 'active',
    exercise: false,
    departments: ['water', 'emergency'],
    evidence: ['0b5f0c3e-6a55-5b8e-9d3c-2a4f1e7c9b10'],
    raisedAt: at,
    updatedAt: at,
    firstEvidenceAt: at,
    lastEvidenceAt: at,
    title: {
      zh: '桂城街道：暴雨内涝，多部门同时报警',
      en: 'Guicheng: rainstorm waterlogging reported by several departments',
    },
    summary: {
      zh: '30分钟内水务、交通、公安在桂城街道千灯湖一带报告积水、道路受淹、人员被困共5起。',
      en: 'Within 30 min, water, traffic and police reported 5 incidents of waterlogging, flooded roads and people trapped around Qiandeng Lake, Guicheng.',
    },
    area: {
      type: 'Polygon',
      coordinates: [
        [
          [lon - d, lat - d],
          [lon + d, lat - d],
          [lon + d, lat + d],
          [lon - d, lat + d],
          [lon - d, lat - d],
        ],
      ],
    },
    centroid: { type: 'Point', coordinates: [lon, lat] },
    thresholds: [
      { name: 'events', value: 5, threshold: 4 },
      { name: 'departments', value: 3, threshold: 2 },
    ],
    ...overrides,
  };
}

/** A deterministic pseudo-random sequence (mulberry32), so every run draws the same map. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function event(
  department: DepartmentCode,
  key: string,
  at: { lon: number; lat: number },
  overrides: Partial<NormalizedEvent> = {},
): NormalizedEvent {
  const entry = VOCABULARIES[department][key];
  if (!entry) throw new Error(`no ${department}.${key}`);
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    department,
    source: {
      system: `${department}-test`,
      format: department === 'water' ? 'sensorthings-1.1' : 'cap-1.2',
      id: crypto.randomUUID(),
    },
    kind: 'incident',
    category: entry.category,
    type: `${department}.${key}`,
    severity: 'Moderate',
    status: 'Actual',
    msgType: 'Alert',
    references: [],
    occurredAt: now,
    receivedAt: now,
    location: { type: 'Point', coordinates: [at.lon, at.lat] },
    address: '佛山市南海区',
    title: entry.name,
    texts: [{ language: 'zh-CN', description: `${entry.name.zh}（测试数据）` }],
    measurements: [],
    attributes: {},
    geocodes: [],
    raw: { contentType: 'application/json', body: '{}' },
    ...overrides,
  };
}

/** `count` events spread over Nanhai's towns in the past 20 hours (no market events: its feed stays silent). */
export function manyEvents(count: number): NormalizedEvent[] {
  const rnd = random(12);
  const departments = DEPARTMENT_CODES.filter((d) => d !== 'market');
  const events: NormalizedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const department = departments[i % departments.length] as DepartmentCode;
    const keys = Object.keys(VOCABULARIES[department]).filter((k) => k !== 'street_vendor');
    const key = keys[Math.floor(rnd() * keys.length)] as string;
    const town = NANHAI_TOWNS[Math.floor(rnd() * NANHAI_TOWNS.length)] ?? NANHAI_TOWNS[0];
    const r = (rnd() * (town?.radiusM ?? 3000)) / 111_000;
    const angle = rnd() * 2 * Math.PI;
    const occurred = new Date(Date.now() - rnd() * 20 * 3600_000).toISOString();
    events.push(
      event(
        department,
        key,
        {
          lon: (town?.center.lon ?? 113.1) + r * Math.cos(angle),
          lat: (town?.center.lat ?? 23) + r * Math.sin(angle),
        },
        { occurredAt: occurred, status: rnd() < 0.1 ? 'Exercise' : 'Actual' },
      ),
    );
  }
  return events;
}

export async function sendEvents(
  p: JsonProducer,
  kafka: TestKafka,
  events: NormalizedEvent[],
): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000);
    const byTopic = new Map<string, NormalizedEvent[]>();
    for (const e of batch) {
      const topic = kafka.topic(eventsTopic(e.department));
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), e]);
    }
    await p.send(
      [...byTopic].map(([topic, list]) => ({ topic, messages: list.map((e) => ({ key: e.id, value: e })) })),
    );
  }
}

/** A user's session over plain HTTP, for the tests' own calls beside the browser. */
export interface ApiSession {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  status(path: string): Promise<number>;
}

export async function apiSession(url: string, username: string): Promise<ApiSession> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`${username} could not sign in: ${login.status}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const call = async (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body !== undefined
          ? { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() }
          : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const json = async <T>(response: Response, what: string): Promise<T> => {
    if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    get: async <T>(path: string) => json<T>(await call('GET', path), `GET ${path}`),
    post: async <T>(path: string, body: unknown) => json<T>(await call('POST', path, body), `POST ${path}`),
    status: async (path: string) => (await call('GET', path)).status,
  };
}
