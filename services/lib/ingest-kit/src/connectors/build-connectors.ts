import { AppError } from '@liandong/errors';
import type { IngestDefinition } from '../definition.ts';
import { normalizeCapDocument } from '../formats/cap.normalizer.ts';
import type { IngestConfig } from '../ingest.config.ts';
import { createCapFeedConnector } from './cap-feed.connector.ts';
import type { PullConnector, UpstreamOptions } from './connector.ts';
import { createOpen311Connector } from './open311.connector.ts';
import { createSensorThingsConnector } from './sensorthings.connector.ts';

/** The pull connectors a service's configuration asks for; a source the service cannot read is a start-up error. */
export function buildConnectors(
  definition: IngestDefinition,
  config: Pick<
    IngestConfig,
    | 'PULL_INTERVAL_MS'
    | 'CAP_FEED_URL'
    | 'OPEN311_REQUESTS_URL'
    | 'OPEN311_API_KEY'
    | 'OPEN311_JURISDICTION_ID'
    | 'SENSORTHINGS_URL'
    | 'UPSTREAM_ALLOWED_HOSTS'
    | 'UPSTREAM_TIMEOUT_MS'
    | 'UPSTREAM_MAX_BYTES'
  >,
): PullConnector[] {
  const department = definition.department;
  const upstream: UpstreamOptions = {
    allowedHosts: config.UPSTREAM_ALLOWED_HOSTS.split(',')
      .map((h) => h.trim())
      .filter((h) => h !== ''),
    limits: { timeoutMs: config.UPSTREAM_TIMEOUT_MS, maxBytes: config.UPSTREAM_MAX_BYTES },
  };
  const connectors: PullConnector[] = [];
  if (config.CAP_FEED_URL) {
    connectors.push(
      createCapFeedConnector(`${department}:cap-feed`, {
        feedUrl: config.CAP_FEED_URL,
        intervalMs: config.PULL_INTERVAL_MS,
        normalizeCap: normalizeCapDocument,
        upstream,
      }),
    );
  }
  if (config.OPEN311_REQUESTS_URL) {
    const open311 = definition.pull?.open311;
    if (!open311) {
      throw new AppError(
        'validation_failed',
        `OPEN311_REQUESTS_URL is set, but the ${department} service takes no Open311 requests`,
      );
    }
    connectors.push(
      createOpen311Connector(`${department}:open311`, {
        requestsUrl: config.OPEN311_REQUESTS_URL,
        intervalMs: config.PULL_INTERVAL_MS,
        parse: open311.parse,
        normalize: open311.normalize,
        ...(config.OPEN311_API_KEY ? { apiKey: config.OPEN311_API_KEY } : {}),
        ...(config.OPEN311_JURISDICTION_ID ? { jurisdictionId: config.OPEN311_JURISDICTION_ID } : {}),
        upstream,
      }),
    );
  }
  if (config.SENSORTHINGS_URL) {
    const sensorthings = definition.pull?.sensorthings;
    if (!sensorthings) {
      throw new AppError(
        'validation_failed',
        `SENSORTHINGS_URL is set, but the ${department} service reads no SensorThings`,
      );
    }
    connectors.push(
      createSensorThingsConnector(`${department}:sensorthings`, {
        baseUrl: config.SENSORTHINGS_URL,
        intervalMs: config.PULL_INTERVAL_MS,
        normalize: sensorthings.normalize,
        upstream,
      }),
    );
  }
  return connectors;
}
