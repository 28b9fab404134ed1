import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKafka, type TestKafka } from '@liandong/testkit';

const REPO_ROOT = join(import.meta.dirname, '../../..');

function runTail(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'infra/src/cli/tail.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('pnpm tail', () => {
  let k: TestKafka;
  beforeAll(async () => {
    k = await testKafka();
  });
  afterAll(async () => k.close());

  it('prints every message of a topic up to its end offsets, one JSON line each, in Beijing time', async () => {
    // Idempotent: a retried send (the topic's leaders are new) must not write a message twice.
    const producer = k.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const topic = k.topic('events.police.v1');
    await producer.send({
      topic,
      messages: Array.from({ length: 7 }, (_, i) => ({
        key: `e-${i}`,
        value: JSON.stringify({ n: i, summary: `警情 ${i}` }),
        headers: { 'content-type': 'application/json' },
        timestamp: String(Date.UTC(2026, 11, 2, 0, 0, i)),
      })),
    });
    await producer.send({ topic, messages: [{ key: 'xml', value: '<alert/>' }] });
    await producer.disconnect();

    const run = runTail([
      'events.police.v1',
      '--to-end',
      '--prefix',
      k.prefix,
      '--brokers',
      k.brokers.join(','),
    ]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines, run.stdout).toHaveLength(8);
    const json = lines
      .filter((l) => l['key'] !== 'xml')
      .sort((a, b) => String(a['key']).localeCompare(String(b['key'])));
    expect(json[3]).toMatchObject({
      key: 'e-3',
      value: { n: 3, summary: '警情 3' },
      headers: { 'content-type': 'application/json' },
      timestamp: '2026-12-02T08:00:03.000+08:00',
    });
    expect(lines.find((l) => l['key'] === 'xml')?.['value']).toBe('<alert/>');

    const limited = runTail(['events.police.v1', '--from-beginning', '--max', '2', '--prefix', k.prefix], {
      KAFKA_BROKERS: k.brokers.join(','),
    });
    expect(limited.status, limited.stderr).toBe(0);
    expect(limited.stdout.trim().split('\n')).toHaveLength(2);
  }, 120_000);

  it('says in one line what was wrong: an unknown topic (exit 1), a usage mistake (exit 2); --help exits 0', () => {
    const missing = runTail(['events.nowhere.v1', '--to-end', '--brokers', k.brokers.join(',')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^pnpm tail: no topic events\.nowhere\.v1 on .*\(topics there: /);
    expect(missing.stderr).not.toMatch(/\n\s+at /);

    const usage = runTail(['--max', 'lots', 'warnings.v1']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^pnpm tail: --max wants a whole number above 0, not lots/);

    const help = runTail(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: pnpm tail <topic>/);
  }, 120_000);
});
