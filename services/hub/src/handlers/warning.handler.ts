import type { Warning } from '@liandong/contracts';
import type { Handler } from '@liandong/kafka';
import type { LifecycleStore } from '../adapters/lifecycle.store.ts';
import type { HubMetrics } from '../metrics.ts';

/** warnings.v1: each revision is recorded once; a new one may arm, re-arm or close deadlines. */
export function handleWarning(deps: { lifecycle: LifecycleStore; metrics: HubMetrics }): Handler<Warning> {
  return async (warning) => {
    const outcome = await deps.lifecycle.execute(
      warning.id,
      { type: 'receive', warning },
      { actor: { username: 'correlator', role: 'system' } },
    );
    deps.metrics.messages.inc({ kind: 'warning', outcome: outcome.applied ? 'applied' : 'repeat' });
  };
}
