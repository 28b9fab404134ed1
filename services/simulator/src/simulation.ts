import type { EventStatus } from '@liandong/contracts';
import type { Sender } from './adapters/sender.ts';
import { createBackground } from './domain/background.ts';
import type { Scenario, SimRecord } from './domain/sim-record.ts';

export interface SimulationOptions {
  sender: Sender;
  seed: number;
  runId: string;
  speed: number;
  status: EventStatus;
  background: boolean;
  now?: () => number;
  tickMs?: number;
  /** What a failed tick reports (its records were not sent). */
  onError?: (error: unknown) => void;
}

interface ActiveScenario {
  scenario: Scenario;
  startedAtSimMs: number;
  records: SimRecord[];
  next: number;
}

/**
 * Plays the background feed and any started scenarios against the ingest services. Simulated
 * time runs `speed` times faster than the wall clock; each record is stamped with the wall-clock
 * time it is sent, so a sped-up scenario is a compressed one, never one from the future.
 */
export function createSimulation(options: SimulationOptions) {
  const now = options.now ?? Date.now;
  const started = now();
  const startMinuteOfDay = ((started / 60_000 + 8 * 60) % 1440) | 0;
  const background = createBackground(options.seed, options.runId, startMinuteOfDay);
  const active: ActiveScenario[] = [];
  const finished: { name: string; startedAt: string }[] = [];
  let runs = 0;
  let timer: NodeJS.Timeout | undefined;
  let ticking = Promise.resolve();
  let tickErrors = 0;

  const simNow = () => (now() - started) * options.speed;

  async function tick(): Promise<void> {
    const until = simNow();
    const due: SimRecord[] = options.background ? background.until(until) : [];
    for (const run of active) {
      while (
        run.next < run.records.length &&
        run.startedAtSimMs + (run.records[run.next] as SimRecord).atMs <= until
      ) {
        due.push(run.records[run.next] as SimRecord);
        run.next += 1;
      }
    }
    for (let i = active.length - 1; i >= 0; i -= 1) {
      const run = active[i] as ActiveScenario;
      if (run.next >= run.records.length) {
        finished.push({
          name: run.scenario.name,
          startedAt: new Date(started + run.startedAtSimMs / options.speed).toISOString(),
        });
        active.splice(i, 1);
      }
    }
    if (due.length === 0) return;
    const sentAt = new Date(now());
    await options.sender.send(
      due.map((r) => ({
        department: r.department,
        sourceId: r.sourceId,
        contentType: r.contentType,
        body: r.build(sentAt, options.status),
      })),
    );
  }

  return {
    start(tickMs = options.tickMs ?? 500) {
      timer = setInterval(() => {
        ticking = ticking.then(tick).catch((error: unknown) => {
          tickErrors += 1;
          options.onError?.(error);
        });
      }, tickMs);
    },
    startScenario(scenario: Scenario): { runId: string } {
      runs += 1;
      const runId = `${options.runId}${runs.toString(36)}`;
      active.push({
        scenario,
        startedAtSimMs: simNow(),
        records: scenario.generate(runId, options.seed + runs),
        next: 0,
      });
      return { runId };
    },
    status() {
      return {
        speed: options.speed,
        status: options.status,
        background: options.background,
        active: active.map((a) => ({ name: a.scenario.name, sent: a.next, total: a.records.length })),
        finished,
        sent: options.sender.stats(),
        failedTicks: tickErrors,
      };
    },
    /** Stops scheduling; waits for the records in flight a little, then gives up on them. */
    async stop(graceMs = 3000) {
      clearInterval(timer);
      await Promise.race([ticking, new Promise((r) => setTimeout(r, graceMs).unref())]);
    },
  };
}
