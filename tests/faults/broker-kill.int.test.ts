/**
 * Fault: the single local broker SIGKILLed in the middle of a stream and started again.
 *
 * Given an ingest service (its own process) on a broker of this test's own (the launcher, a free
 * port, a temporary LIANDONG_DATA_DIR — the shared broker on 9092 is never touched), and senders
 * pushing one record per request, retrying after a 503 as a department system would; when the
 * broker is killed with SIGKILL and started again a few seconds later; then while it is down every
 * push is answered (503 with Retry-After, never a hang), the service accepts again by itself, and
 * read to its end offsets the events topic holds every record answered 202, each exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { eventsTopic, namespacedTopic, TOPIC_SPECS } from '@liandong/contracts';
import { kafkaStatus, startKafka, stopKafka } from '@liandong/infra';
import { ensureTopics } from '@liandong/kafka';
import { testDatabase, uniqueName, type TestDatabase } from '@liandong/testkit';
import { freePort, push, startIngest, type IngestProcess } from '../hostile/ingest-process.ts';
import { reportScenario } from './report.ts';
import { readToEnd } from './read-to-end.ts';

const DOWN_MS = Number(process.env['FAULTS_BROKER_DOWN_MS'] ?? 8000);
const SENDERS = 4;

async function twoFreePorts(): Promise<number> {
  // The launcher's controller listens on port + 1.
  for (;;) {
    const port = await freePort();
    const probe = await freePort();
    if (port < 65000 && probe !== port + 1) {
      const { createServer } = await import('node:net');
      const free = await new Promise<boolean>((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(false));
        s.listen(port + 1, '127.0.0.1', () => s.close(() => resolve(true)));
      });
      if (free) return port;
    }
  }
}

describe('the single broker SIGKILLed and restarted mid-stream', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liandong-faults-'));
  let port: number;
  let env: NodeJS.ProcessEnv;
  let db: TestDatabase;
  let service: IngestProcess;
  const prefix = `${uniqueName('f')}.`;

  beforeAll(async () => {
    port = await twoFreePorts();
    env = { ...process.env, LIANDONG_DATA_DIR: dataDir };
    await startKafka({ port, env, heap: '384m', log: () => undefined, timeoutMs: 120_000 });
    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    await ensureTopics(
      kafka,
      TOPIC_SPECS.map((s) => ({ ...s, name: namespacedTopic(s.name, prefix) })),
    );
    db = await testDatabase();
    service = await startIngest({
      department: 'police',
      brokers: [`127.0.0.1:${port}`],
      prefix,
      db,
      waitReady: true,
    });
  }, 240_000);

  afterAll(async () => {
    await service?.stop();
    await stopKafka({ port, env, log: () => undefined, graceMs: 5000 }).catch(() => undefined);
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while it is down, accepts again by itself, loses nothing; a copy on the topic is the same event under its id', async () => {
    const record = (id: string) =>
      JSON.stringify({
        recordId: id,
        recordType: 'incident',
        type: 'fight',
        occurredAt: '2026-06-01T10:15:00+08:00',
        address: '桂城街道',
      });
    const acked = new Set<string>();
    const pending: string[] = [];
    let sent = 0;
    let unavailable = 0;
    let withoutRetryAfter = 0;
    let otherErrors = 0;
    let slowest503Ms = 0;
    let next = 0;
    let stop = false;
    let brokerBackAt = 0;
    let firstAcceptAfterBack = 0;

    const sendOne = async (id: string) => {
      sent++;
      const t0 = Date.now();
      let answer;
      try {
        answer = await push(service, record(id));
      } catch {
        otherErrors++;
        pending.push(id);
        return;
      }
      if (answer.status === 202) {
        acked.add(id);
        if (brokerBackAt && !firstAcceptAfterBack) firstAcceptAfterBack = Date.now();
      } else if (answer.status === 503) {
        unavailable++;
        slowest503Ms = Math.max(slowest503Ms, Date.now() - t0);
        if (!answer.retryAfter) withoutRetryAfter++;
        pending.push(id);
      } else {
        otherErrors++;
        pending.push(id);
      }
    };
    const sender = async () => {
      while (!stop) {
        // A department system retries what was refused for now before it sends anything new.
        const id = pending.shift() ?? `K-${next++}`;
        await sendOne(id);
        if (pending.length > 0) await new Promise((r) => setTimeout(r, 200));
      }
    };
    const senders = Array.from({ length: SENDERS }, () => sender());

    await new Promise((r) => setTimeout(r, 3000));
    const pid = (await kafkaStatus({ port, env })).pid;
    expect(pid, 'the broker this test started').toBeDefined();
    const killedAt = Date.now();
    process.kill(pid as number, 'SIGKILL');
    await new Promise((r) => setTimeout(r, DOWN_MS));
    const unavailableWhileDown = unavailable;
    await startKafka({ port, env, heap: '384m', log: () => undefined, timeoutMs: 120_000 });
    brokerBackAt = Date.now();
    const deadline = Date.now() + 120_000;
    while (!firstAcceptAfterBack && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all(senders);
    // What is still pending is retried until the service takes it (a duplicate is a 202 too).
    while (pending.length > 0 && Date.now() < deadline) {
      const id = pending.shift() as string;
      await sendOne(id);
    }

    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const messages = await readToEnd(kafka, namespacedTopic(eventsTopic('police'), prefix), 60_000);
    const ids = messages.map(
      (m) => (JSON.parse(m.value?.toString() ?? '{}') as { source?: { id?: string } }).source?.id,
    );
    const keys = messages.map((m) => m.key?.toString());
    const onTopic = new Set(ids);
    const lost = [...acked].filter((id) => !onTopic.has(id));
    const doubled = keys.length - new Set(keys).size;
    const recoveryMs = firstAcceptAfterBack ? firstAcceptAfterBack - brokerBackAt : undefined;
    reportScenario({
      scenario: 'broker SIGKILL + restart',
      sent,
      accepted: acked.size,
      lost: lost.length,
      doubled,
      errors: otherErrors + withoutRetryAfter,
      ...(recoveryMs !== undefined ? { recoveryMs } : {}),
      note: `down ${((brokerBackAt - killedAt) / 1000).toFixed(1)} s; ${unavailable} answered 503 (slowest ${slowest503Ms} ms); ${pending.length} never taken`,
    });
    expect(unavailableWhileDown, 'pushes answered 503 while the broker was down').toBeGreaterThan(0);
    expect(withoutRetryAfter, '503 answers without Retry-After').toBe(0);
    expect(otherErrors, 'answers other than 202 and 503, or none').toBe(0);
    expect(firstAcceptAfterBack, 'accepted again after the restart').toBeGreaterThan(0);
    expect(pending, 'records never taken').toEqual([]);
    expect(lost, 'answered 202 but not on the topic').toEqual([]);
    // Delivery is at least once: a send the broker wrote but never acknowledged (it was killed)
    // is answered 503 and sent again by the sender, under the same event id. A copy must be that
    // very event, so that a consumer keyed on the event id (the hub, the correlator) counts it once.
    // (A resent event is re-stamped with its new receipt time, so copies are compared by their
    // event and source ids, which a resend keeps.)
    const firstCopy = new Map<string, string | undefined>();
    const differing: string[] = [];
    for (const [n, m] of messages.entries()) {
      const key = m.key?.toString() ?? '';
      const event = JSON.parse(m.value?.toString() ?? '{}') as { id?: string };
      if (event.id !== key) differing.push(`${key}: event ${String(event.id)} under another key`);
      const first = firstCopy.get(key);
      if (!firstCopy.has(key)) firstCopy.set(key, ids[n]);
      else if (first !== ids[n]) differing.push(`${key}: sources ${String(first)} and ${String(ids[n])}`);
    }
    expect(differing, 'two different events under one event id').toEqual([]);
    expect(onTopic.size).toBe(acked.size);
  }, 300_000);
});
