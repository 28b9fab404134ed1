/**
 * `pnpm backtest --from … --to …` against the real broker: the events topics read for a range of
 * event time give the warnings the engine gives for the same events in the order they were
 * received, events outside the range are left out, and nothing is produced.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type NormalizedEvent, type Warning } from '@liandong/contracts';
import { byArrival as arrival, loadRuleSet, runBacktest } from '@liandong/correlation-engine';
import { testKafka, type TestKafka } from '@liandong/testkit';
import { playEvents, scenarioEvents } from './correlator.testing.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = 'services/correlation-engine/src/cli/backtest.ts';

function backtest(kafka: TestKafka, args: string[], prefix = kafka.prefix) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: prefix },
  });
  return {
    status: run.status,
    stderr: run.stderr,
    warnings: run.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Warning),
  };
}

describe('pnpm backtest from the events topics', () => {
  let kafka: TestKafka;
  const events = [...scenarioEvents('rainstorm'), ...scenarioEvents('crowd-gathering')];
  const byArrival = (list: NormalizedEvent[]) => [...list].sort(arrival);

  beforeAll(async () => {
    kafka = await testKafka();
    await playEvents(kafka.kafka, (name) => kafka.topic(name), events);
  }, 120_000);
  afterAll(async () => {
    await kafka?.close();
  });

  it('gives the warnings of the same events played in the order received, and publishes nothing', async () => {
    const times = events.map((e) => Date.parse(e.occurredAt)).sort((a, b) => a - b);
    const from = new Date(times[0] as number).toISOString();
    const to = new Date((times.at(-1) as number) + 1).toISOString();
    const run = backtest(kafka, ['--from', from, '--to', to, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${events.length} events occurred in [${from}, ${to})`);

    const expected = await runBacktest(
      byArrival(events).map((e) => JSON.stringify(e)),
      { ruleSet: await loadRuleSet() },
    );
    expect(expected.warnings.length).toBeGreaterThan(0);
    expect(run.warnings).toEqual(expected.warnings);
    expect(await kafka.readToEnd(kafka.topic(TOPICS.warnings))).toEqual([]);
  });

  it('leaves out the events that occurred before --from or at --to and after', async () => {
    const rain = scenarioEvents('rainstorm');
    const times = rain.map((e) => Date.parse(e.occurredAt)).sort((a, b) => a - b);
    const from = new Date(times[Math.floor(times.length / 2)] as number);
    const to = new Date((times.at(-1) as number) + 1);
    const inRange = events.filter((e) => {
      const at = Date.parse(e.occurredAt);
      return at >= from.getTime() && at < to.getTime();
    });
    const run = backtest(kafka, ['--from', from.toISOString(), '--to', to.toISOString(), '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    expect(inRange.length).toBeLessThan(events.length);
    expect(run.stderr).toContain(`${inRange.length} events occurred in`);
    const expected = await runBacktest(
      byArrival(inRange).map((e) => JSON.stringify(e)),
      { ruleSet: await loadRuleSet() },
    );
    expect(run.warnings).toEqual(expected.warnings);
  });

  it('says what was wrong in one line: a bad range (exit 2), topics that are not there (exit 1)', () => {
    const bare = backtest(kafka, ['--from', '2026-12-01T00:00', '--to', '2026-12-02T00:00+08:00']);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/^--from must be an ISO 8601 time with an offset/);
    const backwards = backtest(kafka, ['--from', '2026-12-02T00:00+08:00', '--to', '2026-12-01T00:00+08:00']);
    expect(backwards.status).toBe(2);
    expect(backwards.stderr).toMatch(/^--to \(2026-12-01T00:00\+08:00\) must be later than --from/);
    const half = backtest(kafka, ['--from', '2026-12-01T00:00+08:00']);
    expect(half.status).toBe(2);
    expect(half.stderr).toMatch(/^pnpm backtest: give both --from and --to/);
    const elsewhere = backtest(
      kafka,
      ['--from', '2026-12-01T00:00+08:00', '--to', '2026-12-02T00:00+08:00'],
      'no-such-site.',
    );
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.stderr.trim()).toMatch(
      /^pnpm backtest: the events topics no-such-site\.events\.police\.v1, .* do not exist on this broker: check KAFKA_BROKERS and KAFKA_TOPIC_PREFIX$/,
    );
  });
});
