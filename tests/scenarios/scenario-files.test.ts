/**
 * The correlation engine's scenario files are the simulator's feeds as the ingest services
 * normalize them: regenerated, they are byte for byte what is committed (`pnpm
 * generate:scenarios` writes them after a change to the simulator, a normalizer or the Nanhai
 * dataset). What the engine raises from them is checked beside the engine
 * (services/correlation-engine/src/testing/scenario.files.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SCENARIO_FILES_DIR } from './generate-files.ts';
import { exportScenarioFile, SCENARIO_FILES, toNdjson } from './simulator-export.ts';

describe('scenario files', () => {
  it.each(Object.keys(SCENARIO_FILES))('%s is current: regenerated, the same bytes', async (name) => {
    const committed = await readFile(`${SCENARIO_FILES_DIR}${name}.ndjson`, 'utf8');
    expect(
      toNdjson(exportScenarioFile(name)) === committed,
      `${name}.ndjson: run pnpm generate:scenarios`,
    ).toBe(true);
  });

  it('lays the incident over the everyday feed, and silences the outage department for its time', () => {
    const outage = exportScenarioFile('feed-outage');
    const from = Date.parse('2026-06-12T09:00:00+08:00');
    const to = Date.parse('2026-06-12T11:30:00+08:00');
    const traffic = outage.filter((e) => e.department === 'traffic').map((e) => Date.parse(e.occurredAt));
    expect(traffic.length).toBeGreaterThan(20);
    expect(traffic.filter((t) => t >= from && t < to)).toEqual([]);
    const rainstorm = exportScenarioFile('rainstorm');
    expect(new Set(rainstorm.map((e) => e.department)).size).toBe(6);
    // A gauge the storm drives reports the storm's readings only, not everyday ones beside them.
    const guichengRain = rainstorm.filter((e) => e.place?.id === 'rain-guicheng');
    const times = guichengRain.map((e) => e.occurredAt);
    expect(new Set(times).size).toBe(times.length);
  });
});
