import type { Warning } from '@liandong/contracts';
import type { Handler } from '@liandong/kafka';
import type { LifecycleStore } from '../adapters/lifecycle.store.ts';
import type { HubMetrics } from '../metrics.ts';

const CORRELATOR = { actor: { username: 'correlator', role: 'system' } } as const;

/** warnings.v1: each revision is recorded once; a new one may arm, re-arm or close deadlines. */
export function handleWarning(deps: { lifecycle: LifecycleStore; metrics: HubMetrics }): Handler<Warning> {
  return async (warning) => {
    const outcome = await deps.lifecycle.execute(warning.id, { type: 'receive', warning }, CORRELATOR);
    deps.metrics.messages.inc({ kind: 'warning', outcome: outcome.applied ? 'applied' : 'repeat' });
  };
}

/**
 * A run of revisions in one transaction (one commit for all): what a burst of warnings needs. If
 * it fails, the consumer hands the run to `handleWarning` one by one, so a bad one is isolated.
 */
export function handleWarnings(deps: { lifecycle: LifecycleStore; metrics: HubMetrics }) {
  return async (warnings: Warning[]): Promise<void> => {
    const outcomes = await deps.lifecycle.receiveAll(warnings, CORRELATOR);
    const applied = outcomes.filter((o) => o.applied).length;
    deps.metrics.messages.inc({ kind: 'warning', outcome: 'applied' }, applied);
    deps.metrics.messages.inc({ kind: 'warning', outcome: 'repeat' }, outcomes.length - applied);
  };
}
