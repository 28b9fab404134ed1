import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  HealthRecord,
  MarketRecord,
  NANHAI_GAUGES,
  PoliceRecord,
  SensorThingsObservation,
  TrafficRecord,
  validator,
  type DepartmentCode,
} from '@liandong/contracts';
import { createBackground, GAUGE_INTERVAL_MS } from '../background.ts';
import { MINUTE, type SimRecord } from '../sim-record.ts';
import { SCENARIOS } from './index.ts';

const CAP_XSD = fileURLToPath(
  new URL('../../../../lib/ingest-kit/fixtures/xsd/cap-1.2.xsd', import.meta.url),
);

const SCHEMAS: Partial<Record<DepartmentCode, ReturnType<typeof validator>>> = {
  police: validator(PoliceRecord),
  market: validator(MarketRecord),
  health: validator(HealthRecord),
  traffic: validator(TrafficRecord),
  water: validator(SensorThingsObservation),
};

function checkRecord(record: SimRecord, at: Date) {
  const body = record.build(at, 'Exercise');
  if (record.contentType === 'application/cap+xml') return body;
  const schema = SCHEMAS[record.department];
  if (schema) expect(schema.issues(body), `${record.department} ${record.sourceId}`).toEqual([]);
  if (record.department === 'urban') {
    expect(body).toMatchObject({ service_request_id: record.sourceId, liandong_status: 'Exercise' });
  }
  return body;
}

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('scenario %s', (_name, scenario) => {
  it('is reproducible for a seed and differs between runs by id only', () => {
    const a = scenario.generate('r1', 7);
    const b = scenario.generate('r1', 7);
    const at = new Date('2026-06-01T02:00:00Z');
    expect(a.map((r) => [r.atMs, r.sourceId, r.build(at, 'Exercise')])).toEqual(
      b.map((r) => [r.atMs, r.sourceId, r.build(at, 'Exercise')]),
    );
    const other = scenario.generate('r2', 7);
    expect(other.map((r) => r.sourceId)).not.toEqual(a.map((r) => r.sourceId));
  });

  it('sends only records valid for their department feed, in order, within its duration', () => {
    const records = scenario.generate('r1', 1);
    expect(records.length).toBeGreaterThan(5);
    expect(new Set(records.map((r) => r.sourceId)).size).toBe(records.length);
    let last = 0;
    for (const record of records) {
      expect(record.atMs).toBeGreaterThanOrEqual(last);
      expect(record.atMs).toBeLessThanOrEqual(scenario.durationMs);
      last = record.atMs;
      checkRecord(record, new Date('2026-06-01T02:00:00Z'));
    }
  });

  it('involves more than one department', () => {
    expect(new Set(scenario.generate('r1', 1).map((r) => r.department)).size).toBeGreaterThan(1);
  });
});

describe('CAP alerts the simulator sends', () => {
  it('validate against the OASIS CAP 1.2 schema', () => {
    const caps = SCENARIOS.flatMap((s) => s.generate('x', 3)).filter(
      (r) => r.contentType === 'application/cap+xml',
    );
    expect(caps.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'sim-cap-'));
    caps.forEach((record, i) => {
      const file = join(dir, `${i}.xml`);
      writeFileSync(file, String(record.build(new Date('2026-06-01T02:00:00Z'), 'Exercise')));
      execFileSync('xmllint', ['--noout', '--schema', CAP_XSD, file], { stdio: 'pipe' });
    });
  });
});

describe('background feed', () => {
  it('reports every gauge every five minutes and scatters the other departments at their rates', () => {
    const background = createBackground(42, 'bg');
    const hour = background.until(60 * MINUTE);
    const water = hour.filter((r) => r.department === 'water');
    expect(water.length).toBe(NANHAI_GAUGES.length * ((60 * MINUTE) / GAUGE_INTERVAL_MS));
    const police = hour.filter((r) => r.department === 'police').length;
    expect(police).toBeGreaterThan(8);
    expect(police).toBeLessThan(50);
    for (const record of hour) checkRecord(record, new Date('2026-06-01T02:00:00Z'));
    // Continuing yields the next hour, not the same one again.
    const next = background.until(120 * MINUTE);
    expect(Math.min(...next.map((r) => r.atMs))).toBeGreaterThanOrEqual(60 * MINUTE);
  });
});
