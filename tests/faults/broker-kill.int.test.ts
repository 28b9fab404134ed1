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
import { freePort, startIngest, type IngestProcess } from '../hostile/ingest-process.ts';
import { reportScenario } from './report.ts';
import { readToEnd } from './read-to-end.ts';
import { setAgainstTopic, startSenders } from './senders.ts';

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
    const senders = startSenders(service, { senders: SENDERS, prefix: 'K', record });
    const { stats } = senders;

    await new Promise((r) => setTimeout(r, 3000));
    const pid = (await kafkaStatus({ port, env })).pid;
    expect(pid, 'the broker this test started').toBeDefined();
    const killedAt = Date.now();
    process.kill(pid as number, 'SIGKILL');
    await new Promise((r) => setTimeout(r, DOWN_MS));
    const unavailableWhileDown = stats.unavailable;
    await startKafka({ port, env, heap: '384m', log: () => undefined, timeoutMs: 120_000 });
    const brokerBackAt = senders.markBack();
    await senders.finish(Date.now() + 120_000);

    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const messages = await readToEnd(kafka, namespacedTopic(eventsTopic('police'), prefix), 60_000);
    const { onTopic, lost, doubled, differing } = setAgainstTopic(messages, stats.acked);
    const recoveryMs = stats.firstAcceptAfterBack ? stats.firstAcceptAfterBack - brokerBackAt : undefined;
    reportScenario({
      scenario: 'broker SIGKILL + restart',
      sent: stats.sent,
      accepted: stats.acked.size,
      lost: lost.length,
      doubled,
      errors: stats.otherAnswers.length + stats.withoutRetryAfter,
      ...(recoveryMs !== undefined ? { recoveryMs } : {}),
      note: `down ${((brokerBackAt - killedAt) / 1000).toFixed(1)} s; ${stats.unavailable} answered 503 (slowest ${stats.slowest503Ms} ms); ${stats.pending.length} never taken`,
    });
    expect(unavailableWhileDown, 'pushes answered 503 while the broker was down').toBeGreaterThan(0);
    expect(stats.withoutRetryAfter, '503 answers without Retry-After').toBe(0);
    expect(stats.otherAnswers, 'answers other than 202 and 503, or none').toEqual([]);
    expect(stats.firstAcceptAfterBack, 'accepted again after the restart').toBeGreaterThan(0);
    expect(stats.pending, 'records never taken').toEqual([]);
    expect(lost, 'answered 202 but not on the topic').toEqual([]);
    // Delivery is at least once: a send the broker wrote but never acknowledged (it was killed)
    // is answered 503 and sent again by the sender, under the same event id. A copy must be that
    // very event, so that a consumer keyed on the event id (the hub, the correlator) counts it once.
    // (A resent event is re-stamped with its new receipt time, so copies are compared by their
    // event and source ids, which a resend keeps.)
    expect(differing, 'two different events under one event id').toEqual([]);
    expect(onTopic.size).toBe(stats.acked.size);
  }, 300_000);
});
