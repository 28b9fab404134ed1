import { readFileSync } from 'node:fs';
import {
  GaugeStation,
  NANHAI_GAUGES,
  validator,
  SensorThingsObservation,
  type GaugeStation as Station,
} from '@liandong/contracts';
import { createSensorThingsNormalizer, normalizeXmlBody, type IngestDefinition } from '@liandong/ingest-kit';

/**
 * Gauge observations in OGC SensorThings 1.1, read through the gauge registry: the Nanhai demo
 * registry, or the JSON file GAUGE_REGISTRY_FILE names (an array of GaugeStation).
 */
export function waterDefinitionFor(stations: readonly Station[]): IngestDefinition {
  const sensorthings = createSensorThingsNormalizer({ stations });
  return {
    department: 'water',
    sourceSystem: 'sta-nanhai',
    json: { normalize: sensorthings.normalize, unwrap: sensorthings.unwrap },
    xml: (text, context) => normalizeXmlBody(text, context),
    pull: { sensorthings },
    schemas: { SensorThingsObservation, GaugeStation },
  };
}

function registry(): readonly Station[] {
  // The registry file is read once at start-up; a bad file stops the service with the reason.
  const file = process.env['GAUGE_REGISTRY_FILE'];
  if (!file) return NANHAI_GAUGES;
  const stations: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(stations) || stations.length === 0)
    throw new Error(`GAUGE_REGISTRY_FILE ${file} is not a non-empty array of gauge stations`);
  const check = validator(GaugeStation);
  const problems = stations.flatMap((station, i) =>
    check.issues(station).map((issue) => `/${i}${issue.pointer}: ${issue.message}`),
  );
  if (problems.length > 0)
    throw new Error(`GAUGE_REGISTRY_FILE ${file} has bad gauge stations:\n  - ${problems.join('\n  - ')}`);
  return stations as Station[];
}

export const waterDefinition: IngestDefinition = waterDefinitionFor(registry());
