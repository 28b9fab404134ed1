/** pnpm simulate:export <scenario> [--status Actual|Exercise|Test] — normalized events as NDJSON on stdout. */
import { parseArgs } from 'node:util';
import type { EventStatus } from '@liandong/contracts';
import { exportScenario } from './simulator-export.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    status: { type: 'string', default: 'Exercise' },
    seed: { type: 'string' },
    start: { type: 'string' },
  },
});
const [name] = positionals;
if (!name) {
  console.error(
    'usage: pnpm simulate:export <rainstorm|food-poisoning|crowd-gathering|hazmat-river> [--status S] [--seed N] [--start ISO]',
  );
  process.exit(2);
}
for (const event of exportScenario(name, {
  status: values.status as EventStatus,
  ...(values.seed ? { seed: Number(values.seed) } : {}),
  ...(values.start ? { start: new Date(values.start) } : {}),
})) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}
