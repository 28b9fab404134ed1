/** Shared set-up of the benchmarks: a real broker and database, a fresh namespace, a service process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DEPARTMENT_CODES, TOPIC_SPECS, namespacedTopic, type NormalizedEvent } from '@liandong/contracts';
import { createPool, migrate, type Pool } from '@liandong/db';
import { ensureDatabase, REPO_ROOT, startKafka, stopKafka } from '@liandong/infra';
import { ensureTopics } from '@liandong/kafka';

export interface BenchEnvironment {
  brokers: string;
  databaseUrl: string;
  schema: string;
  prefix: string;
  pool: Pool;
  kafka: Kafka;
  close(): Promise<void>;
}

export async function benchEnvironment(): Promise<BenchEnvironment> {
  // A broker this benchmark started, it stops when it closes (one already running is left alone).
  const local = process.env['KAFKA_BROKERS'] ? undefined : await startKafka({ log: () => undefined });
  const brokers = process.env['KAFKA_BROKERS'] ?? (local as { brokers: string }).brokers;
  const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/liandong_bench';
  await ensureDatabase(databaseUrl);
  const stamp = Date.now().toString(36);
  const schema = `bench_${stamp}`;
  const prefix = `bench${stamp}.`;
  const pool = createPool({ url: databaseUrl, schema, max: 4 });
  await migrate(pool, { schema });
  const kafka = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  await ensureTopics(
    kafka,
    TOPIC_SPECS.map((s) => ({ ...s, name: namespacedTopic(s.name, prefix) })),
  );
  return {
    brokers,
    databaseUrl,
    schema,
    prefix,
    pool,
    kafka,
    async close() {
      const admin = kafka.admin();
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      await admin.deleteTopics({ topics });
      await admin.disconnect();
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
      if (local?.started) await stopKafka({ log: () => undefined });
    },
  };
}

/** Starts a service's real entry point as its own process and waits for /healthz. */
export async function startService(
  dir: string,
  env: Record<string, string>,
  port: number,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    cwd: join(REPO_ROOT, dir),
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (ready.ok) break;
    } catch {
      // starting
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${dir} did not become ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Background load for the benchmarks: the i-th event of a department, of a type no shipped rule matches. */
export function backgroundEvent(i: number): NormalizedEvent {
  const department = DEPARTMENT_CODES[i % DEPARTMENT_CODES.length] ?? 'police';
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    department,
    source: { system: 'bench', format: 'police-json', id: `bench-${i}` },
    kind: 'incident',
    category: 'social_security',
    type: `${department}.bench`,
    severity: 'Moderate',
    status: 'Exercise',
    msgType: 'Alert',
    references: [],
    occurredAt: now,
    receivedAt: now,
    location: { type: 'Point', coordinates: [113.1 + (i % 1000) / 10_000, 23.0 + (i % 700) / 10_000] },
    texts: [],
    measurements: [],
    attributes: {},
    geocodes: [],
    raw: { contentType: 'application/json', body: '{"bench":true}' },
  };
}
