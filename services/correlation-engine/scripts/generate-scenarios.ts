/**
 * Writes the scenario files test/scenarios/<name>.ndjson: one normalized event a line, in topic
 * order. Deterministic: running it again gives the same bytes (a test checks this).
 *
 *   pnpm --filter @liandong/correlation-engine generate:scenarios
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, toNdjson } from '../src/testing/index.ts';

const dir = fileURLToPath(new URL('../test/scenarios/', import.meta.url));
await mkdir(dir, { recursive: true });
for (const [name, build] of Object.entries(SCENARIOS)) {
  const events = build();
  await writeFile(`${dir}${name}.ndjson`, toNdjson(events));
  process.stdout.write(`${name}.ndjson: ${events.length} events\n`);
}
