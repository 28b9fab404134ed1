import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The correlator's Prometheus metrics (its own registry, so a test can run two in one process). */
export function createCorrelatorMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    copied: new Counter({
      name: 'correlator_events_routed_total',
      help: 'Events copied from the events topics onto the sequence topic',
      registers: [registry],
    }),
    events: new Counter({
      name: 'correlator_inputs_total',
      help: 'Sequence records taken by the engine, by outcome (correlated, late, repeat, tick, rules, invalid)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    gaps: new Counter({
      name: 'correlator_source_gap_records_total',
      help: 'Records of an events partition the engine never took although it took a later one (a copy missing from the sequence: must stay 0)',
      registers: [registry],
    }),
    considered: new Counter({
      name: 'correlator_rule_considered_total',
      help: 'Events a rule considered',
      labelNames: ['rule'] as const,
      registers: [registry],
    }),
    warnings: new Counter({
      name: 'correlator_rule_warnings_total',
      help: 'Warnings a rule raised and revised (kind: raised, revised)',
      labelNames: ['rule', 'kind'] as const,
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'correlator_rule_reloads_total',
      help: 'Rule folder reads (outcome: published, unchanged, refused) and rule sets taken by the engine (outcome: applied)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    position: new Gauge({
      name: 'correlator_engine_position',
      help: 'The next offset of the engine’s input partition (the sequence, or a shard of it) it takes (everything before it is taken)',
      labelNames: ['partition'] as const,
      registers: [registry],
    }),
    restores: new Counter({
      name: 'correlator_state_loads_total',
      help: 'Times the engine state was loaded (from: snapshot, start)',
      labelNames: ['from'] as const,
      registers: [registry],
    }),
    snapshotSerializeSeconds: new Histogram({
      name: 'correlator_snapshot_serialize_seconds',
      help: 'Time to serialize the engine state for a snapshot (on the event loop: the batches wait)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    snapshotSeconds: new Histogram({
      name: 'correlator_snapshot_duration_seconds',
      help: 'Time to serialize and write a snapshot of the engine',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type CorrelatorMetrics = ReturnType<typeof createCorrelatorMetrics>;
