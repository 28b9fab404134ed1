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
  runId: string;
  scenario: Scenario;
  startedAt: string;
  startedAtSimMs: number;
  records: SimRecord[];
  next: number;
}

/** A run of a scenario as `GET /runs` and `/status` show it. */
export interface RunView {
  runId: string;
  scenario: string;
  startedAt: string;
  sent: number;
  total: number;
  state: 'running' | 'finished' | 'stopped';
  endedAt?: string;
}

/** A second run of a scenario while one runs, not asked for: the caller says so (409). */
export class ScenarioRunning extends Error {
  constructor(readonly running: RunView) {
    super(`scenario ${running.scenario} is already running as ${running.runId}`);
  }
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
  const ended: RunView[] = [];
  let runs = 0;
  let timer: NodeJS.Timeout | undefined;
  let ticking = Promise.resolve();
  let tickErrors = 0;

  const simNow = () => (now() - started) * options.speed;
  const view = (run: ActiveScenario, state: RunView['state']): RunView => ({
    runId: run.runId,
    scenario: run.scenario.name,
    startedAt: run.startedAt,
    sent: run.next,
    total: run.records.length,
    state,
  });
  const runs_ = () => [...active.map((a) => view(a, 'running')), ...ended];

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
        ended.push({ ...view(run, 'finished'), endedAt: new Date(now()).toISOString() });
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
        // A late report tells when it happened: that long before, on the simulation's clock.
        body: r.build(new Date(sentAt.getTime() - (r.reportedAfterMs ?? 0) / options.speed), options.status),
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
    /**
     * Starts a run of `scenario`. One run of a scenario at a time unless `concurrent` is asked
     * for: a second would double every record a duty officer sees.
     */
    startScenario(scenario: Scenario, opts: { concurrent?: boolean } = {}): { runId: string } {
      const running = active.find((a) => a.scenario.name === scenario.name);
      if (running && !opts.concurrent) throw new ScenarioRunning(view(running, 'running'));
      runs += 1;
      const runId = `${options.runId}${runs.toString(36)}`;
      active.push({
        runId,
        scenario,
        startedAt: new Date(now()).toISOString(),
        startedAtSimMs: simNow(),
        records: scenario.generate(runId, options.seed + runs),
        next: 0,
      });
      return { runId };
    },
    /** Stops a running run: nothing more of it is sent. Undefined when no such run is running. */
    stopRun(runId: string): RunView | undefined {
      const i = active.findIndex((a) => a.runId === runId);
      const run = active[i];
      if (!run) return undefined;
      active.splice(i, 1);
      const stopped = { ...view(run, 'stopped'), endedAt: new Date(now()).toISOString() };
      ended.push(stopped);
      return stopped;
    },
    runs: runs_,
    status() {
      return {
        speed: options.speed,
        status: options.status,
        background: options.background,
        runs: runs_(),
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
