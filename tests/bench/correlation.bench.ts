/**
 * Correlation engine benchmark (a plain script, not a test): prints its figures.
 *
 *   pnpm bench:correlation            all three, medians of several runs
 *   pnpm bench:correlation throughput | backtest | heap
 *
 * 1. Throughput: events/s through the engine with the default rules, on one core, over a
 *    realistic mixed stream: the everyday events of 100 Nanhai-like districts (110 calls,
 *    12345/Open311 requests, 12315 complaints, health reports, traffic records, gauges every
 *    10 minutes) with the rainstorm, food-poisoning, crowd and hazmat incidents laid in. Events
 *    are parsed from NDJSON first, as a consumer gets them. Target ≥ 200,000 events/s.
 * 2. Back-test of 1,000,000 events: the real `backtest` command (read, parse, validate against
 *    the contract, correlate, write) over a generated NDJSON file. Target ≤ 60 s.
 * 3. Heap after a simulated hour at ~1,000 events/s (2,000 districts' worth, each at 14× Nanhai's
 *    everyday rate): the heap the engine retains after an hour of event time (its state and its
 *    H3 ring caches), and the size of its snapshot.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { NormalizedEvent } from '@liandong/contracts';
import { createEngine, loadRuleSet, type Engine, type RuleSet } from '@liandong/correlation-engine';
import { backgroundStream, type StreamOptions } from './load.generator.ts';
import { exportScenario } from '../scenarios/simulator-export.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const DAY_START = Date.parse('2026-06-03T00:00:00+08:00');
const HOUR = 3_600_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Moves a scenario's events so that they start `at`, keeping their spacing. */
function shifted(events: readonly NormalizedEvent[], at: number): NormalizedEvent[] {
  const first = Math.min(...events.map((e) => Date.parse(e.occurredAt)));
  const shift = at - first;
  const move = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
  return events.map((e) => ({ ...e, occurredAt: move(e.occurredAt), receivedAt: move(e.receivedAt) }));
}

const byReceipt = (a: NormalizedEvent, b: NormalizedEvent) =>
  a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.id < b.id ? -1 : 1;

/**
 * Background of `hours` hours with an incident scenario starting every 6 hours (its own events,
 * merged by time of receipt), in topic order, as NDJSON lines.
 */
function* mixedLines(hours: number, options: StreamOptions, sliceMinutes = 60): Generator<string> {
  const incidents = ['rainstorm', 'food-poisoning', 'crowd-gathering', 'hazmat-river'] as const;
  const pending: NormalizedEvent[] = [];
  let slice = 0;
  for (const chunk of backgroundStream(DAY_START, hours, options, sliceMinutes)) {
    const from = DAY_START + slice * sliceMinutes * 60_000;
    const to = from + sliceMinutes * 60_000;
    slice += 1;
    const hour = (from - DAY_START) / HOUR;
    if (sliceMinutes === 60 && hour % 6 === 2) {
      const name = incidents[((hour - 2) / 6) % incidents.length] as (typeof incidents)[number];
      pending.push(...shifted(exportScenario(name, { status: 'Actual' }), from));
      pending.sort(byReceipt);
    }
    let due = 0;
    while (due < pending.length && Date.parse((pending[due] as NormalizedEvent).receivedAt) < to) due++;
    const events = due > 0 ? [...chunk, ...pending.splice(0, due)].sort(byReceipt) : chunk;
    for (const e of events) yield JSON.stringify(e);
  }
}

async function throughput(ruleSet: RuleSet): Promise<void> {
  const t0 = performance.now();
  const events = [...mixedLines(30, { seed: 11, tiles: 100 })].map((l) => JSON.parse(l) as NormalizedEvent);
  process.stdout.write(
    `throughput: ${fmt(events.length)} events (100 districts, 30 h of event time, incidents laid in), generated in ${fmt((performance.now() - t0) / 1000, 1)} s\n`,
  );
  const rates: number[] = [];
  let warnings = 0;
  for (let run = 0; run < RUNS + 1; run++) {
    const engine = createEngine(ruleSet);
    gc();
    const start = performance.now();
    let revisions = 0;
    for (const event of events) revisions += engine.correlate(event).warnings.length;
    const rate = events.length / ((performance.now() - start) / 1000);
    if (run === 0) {
      process.stdout.write(`  warm-up run: ${fmt(rate)} events/s\n`);
      continue;
    }
    rates.push(rate);
    warnings = revisions;
    process.stdout.write(`  run ${run}: ${fmt(rate)} events/s (${revisions} warning revisions)\n`);
  }
  process.stdout.write(
    `THROUGHPUT median of ${RUNS}: ${fmt(median(rates))} events/s on one core (target ≥ 200,000) — ${warnings} warning revisions per run\n\n`,
  );
}

async function backtest(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'liandong-bench-'));
  const file = join(dir, 'events-1m.ndjson');
  try {
    const t0 = performance.now();
    const out = createWriteStream(file);
    let n = 0;
    for (const line of mixedLines(1000, { seed: 13, tiles: 100 })) {
      if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      if (++n >= 1_000_000) break;
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    const size = (await stat(file)).size;
    process.stdout.write(
      `backtest: ${fmt(n)} events, ${fmt(size / 1e6)} MB, generated in ${fmt((performance.now() - t0) / 1000, 1)} s\n`,
    );
    const times: number[] = [];
    const runs = Math.max(1, Math.min(RUNS, 3));
    for (let run = 1; run <= runs; run++) {
      const start = performance.now();
      const result = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'services/correlation-engine/src/cli/backtest.ts', file, '--quiet'],
        { encoding: 'utf8', maxBuffer: 1 << 30 },
      );
      const seconds = (performance.now() - start) / 1000;
      if (result.status !== 0) throw new Error(`backtest failed: ${result.stderr}`);
      const warnings = result.stdout.split('\n').filter((l) => l.length > 0).length;
      const summary = result.stderr.trim().split('\n').slice(-2).join(' | ');
      times.push(seconds);
      process.stdout.write(`  run ${run}: ${fmt(seconds, 1)} s, ${warnings} warnings — ${summary}\n`);
    }
    process.stdout.write(
      `BACKTEST 1,000,000 events median of ${runs}: ${fmt(median(times), 1)} s (target ≤ 60 s)\n\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function heap(ruleSet: RuleSet): Promise<void> {
  const runs = Math.max(1, Math.min(RUNS, 3));
  const retained: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const result = await heapRun(ruleSet, run);
    retained.push(result);
  }
  process.stdout.write(
    `HEAP after a simulated hour at ~1,000 events/s, median of ${runs}: ${fmt(median(retained) / 1e6, 1)} MB retained by the engine\n\n`,
  );
}

/** One hour of event time through a fresh engine; the heap it holds at the end, less what was held before. */
async function heapRun(ruleSet: RuleSet, run: number): Promise<number> {
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const before = process.memoryUsage().heapUsed;
  let engine: Engine | null = createEngine(ruleSet);
  let events = 0;
  let revisions = 0;
  const start = performance.now();
  // 2,000 districts at 14× Nanhai's everyday daytime rate (gauges as they are): about
  // 1,000 events a second.
  const options: StreamOptions = { seed: 17 + run, tiles: 2000, rateFactor: 14 };
  for (const slice of backgroundStream(DAY_START + 10 * HOUR, 1, options, 1)) {
    for (const event of slice) revisions += engine.correlate(event).warnings.length;
    events += slice.length;
  }
  const seconds = (performance.now() - start) / 1000;
  gc();
  const after = process.memoryUsage().heapUsed;
  const snapshot = JSON.stringify(engine.snapshot()).length;
  engine = null;
  process.stdout.write(
    `  run ${run}: ${fmt(events)} events in one hour of event time (${fmt(events / 3600)} events/s), ${revisions} warning revisions, ` +
      `retained heap ${fmt((after - before) / 1e6, 1)} MB, snapshot ${fmt(snapshot / 1e6, 1)} MB (generated and correlated in ${fmt(seconds, 0)} s)\n`,
  );
  return after - before;
}

const which = process.argv[2] ?? 'all';
const ruleSet = await loadRuleSet();
process.stdout.write(
  `correlation benchmark: ${ruleSet.rules.length} default rules, Node ${process.version}, ${RUNS} runs\n\n`,
);
if (which === 'all' || which === 'throughput') await throughput(ruleSet);
if (which === 'all' || which === 'backtest') await backtest();
if (which === 'all' || which === 'heap') await heap(ruleSet);
