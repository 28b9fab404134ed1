/**
 * What the ingest services (and the tests beside them) take from the kit — and only that; the
 * rest of the kit is its own. Test helpers are at `@liandong/ingest-kit/testing`,
 * `/normalize-testing` and `/fakes`.
 */

// Running a department's service.
export { runIngestService } from './main.ts';
export type { IngestDefinition } from './definition.ts';
export { createIngestPipeline, eventMessage } from './ingest.service.ts';
export { createIngestMetrics } from './metrics.ts';
export { createEventProducer } from '@liandong/kafka';
export { createRecordRepository } from './adapters/record.repository.ts';
export { createCursorRepository } from './adapters/cursor.repository.ts';
export { prepare } from './normalize/body.normalizer.ts';

// Pull connectors.
export { startConnectors } from './connectors/connector.runner.ts';
export { createCapFeedConnector, readFeedEntries } from './connectors/cap-feed.connector.ts';
export { createOpen311Connector } from './connectors/open311.connector.ts';
export { createSensorThingsConnector } from './connectors/sensorthings.connector.ts';

// What a department's normalizer is built from.
export type { NormalizeContext, RecordOutcome } from './domain/outcome.ts';
export { eventIdFor } from './domain/event-id.ts';
export { toUtc } from './domain/time.ts';
export { compact } from './domain/compact.ts';
export { normalizeJsonRecord, type JsonFeed } from './domain/json-record.ts';
export { normalizeCapDocument } from './formats/cap.normalizer.ts';
export { createOpen311Normalizer } from './formats/open311.normalizer.ts';
export { createSensorThingsNormalizer } from './formats/sensorthings.normalizer.ts';
export { normalizeXmlBody } from './formats/xml-body.normalizer.ts';
export { atLeast, venuePlace, vocabularyEventBody, type EscalationRule } from './formats/escalation.ts';
