import type { Logger } from '@liandong/logger';
import type { LifecycleStore } from '../adapters/lifecycle.store.ts';
import type { HubMetrics } from '../metrics.ts';

/**
 * Checks deadlines: every warning with a step due is escalated. Every hub runs it; a warning is
 * worked on by one hub at a time (the warning lock), and the step is taken once (its key).
 */
export function createEscalationScanner(deps: {
  lifecycle: LifecycleStore;
  now: () => Date;
  intervalMs: number;
  logger: Logger;
  metrics: HubMetrics;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function runOnce(): Promise<number> {
    let escalated = 0;
    for (const warningId of await deps.lifecycle.due(deps.now())) {
      const outcome = await deps.lifecycle.execute(
        warningId,
        { type: 'escalate' },
        { actor: { username: 'hub', role: 'system' } },
      );
      escalated += outcome.events.length;
    }
    deps.metrics.escalations.inc(escalated);
    return escalated;
  }

  const scanner = {
    runOnce,
    tick(): void {
      if (running) return;
      running = runOnce()
        .catch((error: unknown) => {
          deps.logger.warn({ err: error }, 'checking deadlines failed; trying again on the next tick');
          return 0;
        })
        .finally(() => (running = undefined));
    },
    start(): void {
      timer = setInterval(() => scanner.tick(), deps.intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
  return scanner;
}
