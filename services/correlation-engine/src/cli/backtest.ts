/**
 * pnpm backtest <events.ndjson> [--rules <dir>] [--lateness <minutes>] [--explain <event id>]…
 * pnpm backtest --from <time> --to <time> [same options]   (the events topics, read from Kafka)
 *
 * Writes the warnings the rule set would raise to stdout as NDJSON (the last revision of each),
 * and a summary per rule, bad lines (with their numbers), late events and explanations to stderr.
 * Publishes nothing.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { Type } from '@sinclair/typebox';
import { brokerList, kafkaEnv, loadConfig } from '@liandong/config';
import { createKafka } from '@liandong/kafka';
import { createLogger } from '@liandong/logger';
import { RuleSetError } from '../rules/rule-set.parser.ts';
import { DEFAULT_RULES_DIR, loadRuleSet } from '../rules/rule-set.loader.ts';
import { formatDecisions, formatSummary, runBacktest, type BacktestResult } from './backtest.runner.ts';
import { readEventsFromKafka } from './kafka.source.ts';

const USAGE = `usage: pnpm backtest <events.ndjson | -> [--rules <dir>] [--lateness <minutes>] [--explain <event id>]… [--quiet]
       pnpm backtest --from <time> --to <time> [--rules <dir>] [--lateness <minutes>] [--explain <event id>]… [--quiet]

Plays normalized events through the rule set and writes the warnings it would raise to stdout
(the last revision of each), a summary per rule, bad lines, late events and explanations to
stderr. Publishes nothing. The events come from a file (NDJSON, one per line; - reads standard
input) or, with --from and --to, from the six events topics on Kafka (KAFKA_BROKERS,
KAFKA_TOPIC_PREFIX): every event that occurred in [from, to), in the order it was received.

  --from, --to <time>    ISO 8601 with an offset, e.g. 2026-12-01T00:00+08:00 (Beijing time)
  --rules <dir>          the rule set (default: the shipped rules)
  --lateness <minutes>   how late an event may come and still count (default: the engine's, 60)
  --explain <event id>   which rules considered that event and why none fired (repeatable)
  --quiet                no progress bar
Exit status: 0 done, 1 it failed, 2 a usage mistake.`;

/** An ISO 8601 time with its offset (a bare local time would be read in this machine's zone). */
function parseTime(name: string, text: string): Date | string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text))
    return `--${name} must be an ISO 8601 time with an offset (e.g. 2026-12-01T00:00+08:00), not "${text}"`;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? `--${name} is not a time: "${text}"` : at;
}

function report(result: BacktestResult, explain: readonly string[], extra: string[] = []): void {
  for (const warning of result.warnings) process.stdout.write(`${JSON.stringify(warning)}\n`);
  const err = process.stderr;
  for (const bad of result.badLines.slice(0, 50)) err.write(`line ${bad.line}: ${bad.message}\n`);
  if (result.badLines.length > 50) err.write(`… and ${result.badLines.length - 50} more bad lines\n`);
  for (const line of extra) err.write(`${line}\n`);
  err.write(`\n${formatSummary(result)}\n`);
  for (const id of explain) err.write(`\n${formatDecisions(id, result.explanations.get(id))}\n`);
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rules: { type: 'string' },
        lateness: { type: 'string' },
        explain: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const file = parsed.positionals[0];
  const fromKafka = parsed.values.from !== undefined || parsed.values.to !== undefined;
  if (fromKafka ? parsed.positionals.length > 0 : !file || parsed.positionals.length > 1) {
    process.stderr.write(
      `pnpm backtest: name one events file (or - for standard input), or --from and --to for the events topics\n\n${USAGE}\n`,
    );
    return 2;
  }
  const lateness = parsed.values.lateness !== undefined ? Number(parsed.values.lateness) : undefined;
  if (lateness !== undefined && !(lateness >= 0)) {
    process.stderr.write(`--lateness must be a number of minutes ≥ 0, not "${parsed.values.lateness}"\n`);
    return 2;
  }
  if (fromKafka || file === undefined) return backtestKafka(parsed.values, lateness);
  const stdin = file === '-';
  let size = 0;
  try {
    if (!stdin) size = (await stat(file)).size;
  } catch (error) {
    process.stderr.write(`cannot read ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  let ruleSet;
  try {
    ruleSet = await loadRuleSet(parsed.values.rules ?? DEFAULT_RULES_DIR);
  } catch (error) {
    if (error instanceof RuleSetError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  // Standard input has no size to measure progress against.
  const showBar = !parsed.values.quiet && !stdin;
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'back-test [{bar}] {percentage}% | {value}/{total} MB | {eta_formatted} left',
    hideCursor: true,
    noTTYOutput: false,
    notTTYSchedule: 5000,
  });
  const totalMb = Math.max(0.01, Math.round((size / 1e6) * 100) / 100);
  if (showBar) bar.start(totalMb, 0);
  let bytes = 0;
  let sinceUpdate = 0;
  const lines = createInterface({
    input: stdin ? process.stdin.setEncoding('utf8') : createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  const result = await runBacktest(lines, {
    ruleSet,
    ...(lateness !== undefined ? { allowedLatenessMinutes: lateness } : {}),
    explain: parsed.values.explain ?? [],
    onLine: (n) => {
      bytes += n;
      sinceUpdate += n;
      if (showBar && sinceUpdate > 1_000_000) {
        sinceUpdate = 0;
        bar.update(Math.min(totalMb, Math.round((bytes / 1e6) * 100) / 100));
      }
    },
  });
  if (showBar) {
    bar.update(totalMb);
    bar.stop();
  }

  report(result, parsed.values.explain ?? []);
  return 0;
}

/** `--from … --to …`: the events topics for that range of event time. */
async function backtestKafka(
  values: { from?: string; to?: string; rules?: string; explain?: string[]; quiet?: boolean },
  lateness: number | undefined,
): Promise<number> {
  if (values.from === undefined || values.to === undefined) {
    process.stderr.write(`pnpm backtest: give both --from and --to\n\n${USAGE}\n`);
    return 2;
  }
  const from = parseTime('from', values.from);
  const to = parseTime('to', values.to);
  for (const t of [from, to])
    if (typeof t === 'string') {
      process.stderr.write(`${t}\n`);
      return 2;
    }
  if ((to as Date) <= (from as Date)) {
    process.stderr.write(`--to (${values.to}) must be later than --from (${values.from})\n`);
    return 2;
  }
  const config = loadConfig(
    Type.Object({
      ...kafkaEnv,
      KAFKA_TOPIC_PREFIX: Type.String({ default: '', pattern: '^[A-Za-z0-9._-]*$' }),
      // kafkajs' own retries are not the user's business; what failed is said in one line.
      LOG_LEVEL: Type.String({ default: 'silent' }),
    }),
    process.env,
  );
  let ruleSet;
  try {
    ruleSet = await loadRuleSet(values.rules ?? DEFAULT_RULES_DIR);
  } catch (error) {
    if (error instanceof RuleSetError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const kafka = createKafka({
    brokers: brokerList(config.KAFKA_BROKERS),
    clientId: 'liandong-backtest',
    logger: createLogger({ service: 'backtest', level: config.LOG_LEVEL }),
  });
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'back-test [{bar}] {percentage}% | {value}/{total} records | {eta_formatted} left',
    hideCursor: true,
    noTTYOutput: false,
    notTTYSchedule: 5000,
  });
  const showBar = !values.quiet;
  let read = 0;
  const { events, invalid, records } = await readEventsFromKafka(kafka, {
    from: from as Date,
    to: to as Date,
    latenessMinutes: lateness ?? 60,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    onTotal: (total) => showBar && bar.start(Math.max(1, total), 0),
    onRecord: () => {
      read += 1;
      if (showBar && read % 1000 === 0) bar.update(read);
    },
  });
  if (showBar) {
    bar.update(Math.max(1, read));
    bar.stop();
  }
  const result = await runBacktest(
    events.map((e) => JSON.stringify(e)),
    {
      ruleSet,
      ...(lateness !== undefined ? { allowedLatenessMinutes: lateness } : {}),
      explain: values.explain ?? [],
    },
  );
  report(result, values.explain ?? [], [
    `read ${records} records from the events topics${config.KAFKA_TOPIC_PREFIX ? ` (prefix ${config.KAFKA_TOPIC_PREFIX})` : ''}; ${events.length} events occurred in [${values.from}, ${values.to})`,
    ...invalid.slice(0, 50).map((i) => `skipped ${i}`),
  ]);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pnpm backtest: ${message}\n`);
    if (process.env['LIANDONG_DEBUG']) process.stderr.write(`${String((error as Error).stack)}\n`);
    process.exitCode = 1;
  },
);
