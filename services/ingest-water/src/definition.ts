import { readFileSync } from 'node:fs';
import {
  GaugeStation,
  NANHAI_GAUGES,
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
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as Station[]) : NANHAI_GAUGES;
}

export const waterDefinition: IngestDefinition = waterDefinitionFor(registry());
