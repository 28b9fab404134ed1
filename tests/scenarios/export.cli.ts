/** pnpm simulate:export <scenario> [--status Actual|Exercise|Test] — normalized events as NDJSON on stdout. */
import { parseArgs } from 'node:util';
import type { EventStatus } from '@liandong/contracts';
import { runCommand, UsageError } from '@liandong/infra';
import { SCENARIOS } from '@liandong/simulator';
import { exportScenario } from './simulator-export.ts';

const USAGE = `usage: pnpm simulate:export <scenario> [--status Actual|Exercise|Test] [--seed N] [--start ISO time]

Prints the scenario's records as the ingest services normalize them, one JSON event a line.
Scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}
Exit status: 0 done, 1 it failed, 2 a usage mistake.`;

await runCommand('pnpm simulate:export', USAGE, (argv) => {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      status: { type: 'string', default: 'Exercise' },
      seed: { type: 'string' },
      start: { type: 'string' },
    },
  });
  const [name, extra] = positionals;
  if (!name) throw new UsageError('name a scenario');
  if (extra !== undefined) throw new UsageError(`one scenario at a time (got ${positionals.join(' ')})`);
  if (!SCENARIOS.some((s) => s.name === name))
    throw new UsageError(`no scenario "${name}": ${SCENARIOS.map((s) => s.name).join(', ')}`);
  if (!['Actual', 'Exercise', 'Test'].includes(values.status))
    throw new UsageError(`--status is Actual, Exercise or Test, not ${values.status}`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new UsageError(`--seed wants a whole number, not ${values.seed}`);
  const start = values.start === undefined ? undefined : new Date(values.start);
  if (start && Number.isNaN(start.getTime()))
    throw new UsageError(`--start wants an ISO time, not ${values.start}`);
  for (const event of exportScenario(name, {
    status: values.status as EventStatus,
    ...(seed !== undefined ? { seed } : {}),
    ...(start ? { start } : {}),
  })) {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  }
});
