/**
 * pnpm backtest <events.ndjson> [--rules <dir>] [--lateness <minutes>] [--explain <event id>]…
 *
 * Writes the warnings the rule set would raise to stdout as NDJSON (the last revision of each),
 * and a summary per rule, bad lines (with their numbers), late events and explanations to stderr.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { RuleSetError } from '../rules/rule-set.parser.ts';
import { DEFAULT_RULES_DIR, loadRuleSet } from '../rules/rule-set.loader.ts';
import { formatDecisions, formatSummary, runBacktest } from './backtest.runner.ts';

const USAGE = `usage: pnpm backtest <events.ndjson | -> [--rules <dir>] [--lateness <minutes>] [--explain <event id>]… [--quiet]

Plays normalized events (NDJSON, one per line; - reads standard input) through the rule set and
writes the warnings it would raise to stdout (the last revision of each), a summary per rule, bad
lines, late events and explanations to stderr.

  --rules <dir>          the rule set (default: the shipped rules)
  --lateness <minutes>   how late an event may come and still count (default: the engine's)
  --explain <event id>   which rules considered that event and why none fired (repeatable)
  --quiet                no progress bar
Exit status: 0 done, 1 it failed, 2 a usage mistake.`;

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
  if (!file || parsed.positionals.length > 1) {
    process.stderr.write(`pnpm backtest: name one events file (or - for standard input)\n\n${USAGE}\n`);
    return 2;
  }
  const stdin = file === '-';
  const lateness = parsed.values.lateness !== undefined ? Number(parsed.values.lateness) : undefined;
  if (lateness !== undefined && !(lateness >= 0)) {
    process.stderr.write(`--lateness must be a number of minutes ≥ 0, not "${parsed.values.lateness}"\n`);
    return 2;
  }
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

  for (const warning of result.warnings) process.stdout.write(`${JSON.stringify(warning)}\n`);
  const err = process.stderr;
  for (const bad of result.badLines.slice(0, 50)) err.write(`line ${bad.line}: ${bad.message}\n`);
  if (result.badLines.length > 50) err.write(`… and ${result.badLines.length - 50} more bad lines\n`);
  err.write(`\n${formatSummary(result)}\n`);
  for (const id of parsed.values.explain ?? [])
    err.write(`\n${formatDecisions(id, result.explanations.get(id))}\n`);
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
