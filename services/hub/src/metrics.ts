import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The hub's Prometheus metrics (its own registry, so a test can run two hubs in one process). */
export function createHubMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    sockets: new Gauge({ name: 'hub_sockets', help: 'Connected Socket.IO clients', registers: [registry] }),
    pushes: new Counter({
      name: 'hub_pushes_emitted_total',
      help: 'Pushes emitted to rooms, by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    replayed: new Counter({
      name: 'hub_pushes_replayed_total',
      help: 'Pushes replayed to resuming clients',
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'hub_reloads_total',
      help: 'Clients told to reload',
      registers: [registry],
    }),
    messages: new Counter({
      name: 'hub_messages_total',
      help: 'Messages consumed, by topic kind and outcome',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    escalations: new Counter({
      name: 'hub_escalations_total',
      help: 'Escalation steps taken by this hub',
      registers: [registry],
    }),
    logins: new Counter({
      name: 'hub_logins_total',
      help: 'Login attempts by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    commandSeconds: new Histogram({
      name: 'hub_command_duration_seconds',
      help: 'Transaction time of a lifecycle command (receive, acknowledge, escalate, resolve)',
      labelNames: ['command'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    pushLagSeconds: new Histogram({
      name: 'hub_push_emit_lag_seconds',
      help: 'From a push being written to it being emitted by this hub',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
