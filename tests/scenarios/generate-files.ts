/**
 * Writes the correlation engine's scenario files, services/correlation-engine/test/scenarios/
 * <name>.ndjson: the simulator's everyday feed and scenarios as the ingest services normalize
 * them, one event a line, in topic order. Deterministic: running it again gives the same bytes
 * (tests/scenarios/scenario-files.test.ts checks this).
 *
 *   pnpm generate:scenarios
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { exportScenarioFile, SCENARIO_FILES, toNdjson } from './simulator-export.ts';

export const SCENARIO_FILES_DIR = fileURLToPath(
  new URL('../../services/correlation-engine/test/scenarios/', import.meta.url),
);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await mkdir(SCENARIO_FILES_DIR, { recursive: true });
  for (const name of Object.keys(SCENARIO_FILES)) {
    const events = exportScenarioFile(name);
    await writeFile(`${SCENARIO_FILES_DIR}${name}.ndjson`, toNdjson(events));
    process.stdout.write(`${name}.ndjson: ${events.length} events\n`);
  }
}
