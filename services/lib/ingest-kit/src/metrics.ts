import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';

/** The Prometheus metrics of one ingest service (its own registry, so tests can run several). */
export function createIngestMetrics(department: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ department });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    records: new Counter({
      name: 'ingest_records_total',
      help: 'Records received, by outcome (accepted, duplicate, conflict, rejected)',
      labelNames: ['outcome', 'format'] as const,
      registers: [registry],
    }),
    refused: new Counter({
      name: 'ingest_refused_total',
      help: 'Records or requests refused, by reason code',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: 'ingest_produce_duration_seconds',
      help: 'Time from claiming a batch to Kafka acknowledging it',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'ingest_commit_duration_seconds',
      help: 'Time of one group commit: claim in PostgreSQL, produce, commit',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    commitRecords: new Histogram({
      name: 'ingest_commit_records',
      help: 'Records in one group commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'ingest_request_duration_seconds',
      help: 'Time from request to reply of POST /v1/events, by status',
      labelNames: ['status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    connectorUp: new Gauge({
      name: 'ingest_connector_up',
      help: 'Whether the last poll of a pull connector succeeded (1) or failed (0)',
      labelNames: ['connector'] as const,
      registers: [registry],
    }),
    connectorRecords: new Counter({
      name: 'ingest_connector_records_total',
      help: 'Records pulled by a connector, by outcome',
      labelNames: ['connector', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
