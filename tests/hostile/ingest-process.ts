/**
 * An ingest service as a black box: its own process (`node --import tsx services/ingest-<dept>/src/main.ts`)
 * on a free port, this test's topics and schema, and a department key created through the key
 * administration (with its audit entry), as an administrator creates one. Nothing of the service's
 * internals is imported: tests talk HTTP to it and read Kafka.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { DepartmentCode } from '@liandong/contracts';
import { REPO_ROOT } from '@liandong/infra';
import { createKeyAdministration } from '@liandong/keys';
import type { TestDatabase } from '@liandong/testkit';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface IngestProcess {
  department: DepartmentCode;
  url: string;
  key: string;
  pid: number;
  child: ChildProcess;
  /** What the process wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** Resident memory in bytes, read from /proc (the process's own view, not the test's). */
  rss(): number;
  alive(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface IngestProcessOptions {
  department: DepartmentCode;
  brokers: string[];
  prefix: string;
  db: TestDatabase;
  env?: Record<string, string>;
  /** An existing key (a restarted service keeps its department's key). */
  key?: string;
  /** Wait for /readyz (Kafka and the database reachable) rather than /healthz. */
  waitReady?: boolean;
}

export async function createDepartmentKey(db: TestDatabase, department: DepartmentCode): Promise<string> {
  const created = await createKeyAdministration(db.pool).create(department, 'faults suite', {
    username: 'faults-suite',
    role: 'admin',
  });
  return created.key;
}

export async function startIngest(options: IngestProcessOptions): Promise<IngestProcess> {
  const port = await freePort();
  const key = options.key ?? (await createDepartmentKey(options.db, options.department));
  let output = '';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('services', `ingest-${options.department}`, 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        KAFKA_BROKERS: options.brokers.join(','),
        KAFKA_TOPIC_PREFIX: options.prefix,
        DATABASE_URL: options.db.appUrl,
        DATABASE_SCHEMA: options.db.schema,
        LOG_LEVEL: 'warn',
        AUDIT_HEAD_INTERVAL_MS: '0',
        RATE_LIMIT_PER_MINUTE: '10000000',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Keep only the tail: a hostile run makes the service log a lot.
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const probe = options.waitReady ? '/readyz' : '/healthz';
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ingest-${options.department} exited at start:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ingest-${options.department} did not answer ${probe} in 90 s:\n${output}`);
    }
    const ok = await fetch(`${url}${probe}`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const pid = child.pid as number;
  return {
    department: options.department,
    url,
    key,
    pid,
    child,
    output: () => output,
    rss: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      return Number(kb ?? 0) * 1024;
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Answer {
  status: number;
  contentType: string;
  body: string;
  retryAfter: string | null;
}

/** POST /v1/events with the department key; the body as given (bytes or text). */
export async function push(
  service: IngestProcess,
  body: string | Uint8Array,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${service.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${service.key}`, 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
    retryAfter: response.headers.get('retry-after'),
  };
}
