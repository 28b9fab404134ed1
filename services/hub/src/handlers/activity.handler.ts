import type { WarningActivity } from '@liandong/contracts';
import type { Handler } from '@liandong/kafka';
import type { LifecycleStore } from '../adapters/lifecycle.store.ts';
import type { HubMetrics } from '../metrics.ts';

/**
 * warning-activity.v1: what this hub wrote itself is known by id and skipped; an activity from
 * elsewhere (another site, a rebuild of the projections from the topic) is applied once.
 */
export function handleActivity(deps: {
  lifecycle: LifecycleStore;
  metrics: HubMetrics;
}): Handler<WarningActivity> {
  return async (activity) => {
    const outcome = await deps.lifecycle.applyActivity(activity);
    deps.metrics.messages.inc({ kind: 'activity', outcome: outcome.applied ? 'applied' : 'known' });
  };
}
