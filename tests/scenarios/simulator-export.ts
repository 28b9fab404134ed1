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
import { scenarioByName, SCENARIOS, type SimRecord } from '@liandong/simulator';

const DEFINITIONS: Record<DepartmentCode, IngestDefinition> = {
  police: policeDefinition,
  urban: urbanDefinition,
  market: marketDefinition,
  health: healthDefinition,
  water: waterDefinition,
  traffic: trafficDefinition,
};

function normalize(record: SimRecord, occurredAt: Date, status: EventStatus): RecordOutcome[] {
  const definition = DEFINITIONS[record.department];
  const context: NormalizeContext = {
    department: record.department,
    receivedAt: new Date(occurredAt.getTime() + 5_000),
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

/** Normalized events of one scenario, in occurrence order; throws on any record a service would refuse. */
export function exportScenario(name: string, options: ExportOptions = {}): NormalizedEvent[] {
  const scenario = scenarioByName(name);
  if (!scenario) throw new Error(`no scenario "${name}": ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const start = options.start ?? new Date('2026-06-01T02:00:00Z');
  const events: NormalizedEvent[] = [];
  for (const record of scenario.generate(options.runId ?? 'export', options.seed ?? 20260601)) {
    const occurredAt = new Date(start.getTime() + record.atMs);
    for (const outcome of normalize(record, occurredAt, options.status ?? 'Exercise')) {
      if (!outcome.ok) throw new Error(`${record.sourceId} refused: ${JSON.stringify(outcome.issues)}`);
      events.push(outcome.event);
    }
  }
  return events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id));
}
