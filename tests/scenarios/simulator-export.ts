/**
 * The simulator's scenarios as the correlator would see them: each record built at its scenario
 * time and normalized by its department's real ingest definition, in time order — the NDJSON of
 * `events.<dept>.v1` that `pnpm backtest` reads.
 */
import type { DepartmentCode, EventStatus, NormalizedEvent } from '@liandong/contracts';
import type { IngestDefinition, NormalizeContext, RecordOutcome } from '@liandong/ingest-kit';
import { healthDefinition } from '@liandong/ingest-health';
import { marketDefinition } from '@liandong/ingest-market';
import { policeDefinition } from '@liandong/ingest-police';
import { trafficDefinition } from '@liandong/ingest-traffic';
import { urbanDefinition } from '@liandong/ingest-urban';
import { waterDefinition } from '@liandong/ingest-water';
import { byArrival } from '@liandong/correlation-engine';
import { createBackground, scenarioByName, SCENARIOS, type SimRecord } from '@liandong/simulator';

const DEFINITIONS: Record<DepartmentCode, IngestDefinition> = {
  police: policeDefinition,
  urban: urbanDefinition,
  market: marketDefinition,
  health: healthDefinition,
  water: waterDefinition,
  traffic: trafficDefinition,
};

/** A record sent at `sentAt` (it happened `reportedAfterMs` earlier), received 5 s later. */
function normalize(record: SimRecord, sentAt: Date, status: EventStatus): RecordOutcome[] {
  const definition = DEFINITIONS[record.department];
  const occurredAt = new Date(sentAt.getTime() - (record.reportedAfterMs ?? 0));
  const context: NormalizeContext = {
    department: record.department,
    receivedAt: new Date(sentAt.getTime() + 5_000),
    sourceSystem: definition.sourceSystem,
    defaultCrs: 'WGS84',
  };
  const body = record.build(occurredAt, status);
  if (record.contentType === 'application/cap+xml') {
    if (!definition.xml) throw new Error(`${record.department} takes no XML`);
    return definition.xml(String(body), context);
  }
  if (!definition.json) throw new Error(`${record.department} takes no JSON`);
  return [definition.json.normalize(body, 0, context)];
}

export interface ExportOptions {
  seed?: number;
  start?: Date;
  status?: EventStatus;
  runId?: string;
}

function normalizeAll(records: readonly SimRecord[], start: Date, status: EventStatus): NormalizedEvent[] {
  const events: NormalizedEvent[] = [];
  for (const record of records) {
    for (const outcome of normalize(record, new Date(start.getTime() + record.atMs), status)) {
      if (!outcome.ok) throw new Error(`${record.sourceId} refused: ${JSON.stringify(outcome.issues)}`);
      events.push(outcome.event);
    }
  }
  return events;
}

/** Normalized events of one scenario, in occurrence order; throws on any record a service would refuse. */
export function exportScenario(name: string, options: ExportOptions = {}): NormalizedEvent[] {
  const scenario = scenarioByName(name);
  if (!scenario) throw new Error(`no scenario "${name}": ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const start = options.start ?? new Date('2026-06-01T02:00:00Z');
  const records = scenario.generate(options.runId ?? 'export', options.seed ?? 20260601);
  return normalizeAll(records, start, options.status ?? 'Exercise').sort(
    (a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id),
  );
}

const HOUR = 3_600_000;

/**
 * One scenario file of the correlation engine: hours of the simulator's everyday feed (every
 * department, every gauge) with, optionally, one of its scenarios laid over it or a department
 * gone silent for a while.
 */
export interface ScenarioFile {
  /** Local (Asia/Shanghai) start of the everyday feed. */
  readonly start: string;
  readonly hours: number;
  readonly seed: number;
  readonly scenario?: { readonly name: string; readonly afterMinutes: number };
  readonly outage?: {
    readonly department: DepartmentCode;
    readonly fromMinute: number;
    readonly toMinute: number;
  };
}

/** The engine's scenario files (services/correlation-engine/test/scenarios/<name>.ndjson). */
export const SCENARIO_FILES: Readonly<Record<string, ScenarioFile>> = {
  rainstorm: {
    start: '2026-06-01T12:00:00',
    hours: 8,
    seed: 101,
    scenario: { name: 'rainstorm', afterMinutes: 150 },
  },
  'food-poisoning': {
    start: '2026-06-05T10:00:00',
    hours: 8,
    seed: 202,
    scenario: { name: 'food-poisoning', afterMinutes: 120 },
  },
  'crowd-gathering': {
    start: '2026-06-08T08:00:00',
    hours: 6,
    seed: 303,
    scenario: { name: 'crowd-gathering', afterMinutes: 80 },
  },
  'hazmat-river': {
    start: '2026-06-10T06:00:00',
    hours: 8,
    seed: 404,
    scenario: { name: 'hazmat-river', afterMinutes: 130 },
  },
  'quiet-day': { start: '2026-06-03T00:00:00', hours: 24, seed: 505 },
  'feed-outage': {
    start: '2026-06-12T06:00:00',
    hours: 8,
    seed: 606,
    outage: { department: 'traffic', fromMinute: 180, toMinute: 330 },
  },
};

/** The station a water record reports for (its datastream), or undefined for other records. */
function stationOf(record: SimRecord): string | undefined {
  return record.department === 'water' && record.contentType === 'application/json'
    ? record.sourceId.slice(0, record.sourceId.indexOf(':'))
    : undefined;
}

/** The events of one scenario file, in the order they stand on the topics (by receipt, then id). */
export function exportScenarioFile(name: string): NormalizedEvent[] {
  const file = SCENARIO_FILES[name];
  if (!file) throw new Error(`no scenario file "${name}": ${Object.keys(SCENARIO_FILES).join(', ')}`);
  const start = new Date(`${file.start}+08:00`);
  const [hh = '0', mm = '0'] = file.start.slice(11, 16).split(':');
  const runId = name
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .slice(0, 6);
  let records = createBackground(file.seed, runId, Number(hh) * 60 + Number(mm)).until(file.hours * HOUR);
  if (file.scenario) {
    const scenario = scenarioByName(file.scenario.name);
    if (!scenario) throw new Error(`no scenario "${file.scenario.name}"`);
    const shift = file.scenario.afterMinutes * 60_000;
    const incident = scenario.generate(runId, file.seed).map((r) => ({ ...r, atMs: r.atMs + shift }));
    // The gauges the scenario drives report its readings, not everyday ones beside them.
    const driven = new Set(incident.map(stationOf).filter((s) => s !== undefined));
    records = [...records.filter((r) => !driven.has(stationOf(r) ?? '')), ...incident];
  }
  const outage = file.outage;
  if (outage)
    records = records.filter(
      (r) =>
        r.department !== outage.department ||
        r.atMs < outage.fromMinute * 60_000 ||
        r.atMs >= outage.toMinute * 60_000,
    );
  return normalizeAll(records, start, 'Actual').sort(byArrival);
}

/** Events as NDJSON, one a line, as the scenario files hold them. */
export function toNdjson(events: readonly NormalizedEvent[]): string {
  return events.map((e) => `${JSON.stringify(e)}\n`).join('');
}
