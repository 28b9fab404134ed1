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

const USAGE =
  'usage: pnpm backtest <events.ndjson> [--rules <dir>] [--lateness <minutes>] [--explain <event id>]…';

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
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const lateness = parsed.values.lateness !== undefined ? Number(parsed.values.lateness) : undefined;
  if (lateness !== undefined && !(lateness >= 0)) {
    process.stderr.write(`--lateness must be a number of minutes ≥ 0, not "${parsed.values.lateness}"\n`);
    return 2;
  }
  let size: number;
  try {
    size = (await stat(file)).size;
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

  const showBar = !parsed.values.quiet;
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
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
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
    process.stderr.write(
      `back-test failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
