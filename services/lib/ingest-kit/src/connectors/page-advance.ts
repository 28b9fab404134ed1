import type { RecordOutcome } from '../domain/outcome.ts';
import { MAX_FUTURE_SKEW_MS } from '../domain/time.ts';

const refusedAsFuture = (outcome: RecordOutcome) =>
  !outcome.ok && outcome.issues.some((issue) => issue.code === 'in_future');

/**
 * The latest record time a time-based cursor may move to after a page. It moves over records
 * that are done with — accepted (or duplicates), or refused for their content and dead-lettered
 * — but never over a record refused as lying in the future, and never beyond the receipt time
 * plus the tolerated skew: one record dated 2099 must not make the cursor skip everything that
 * is sent after it. `outcomes[i]` is the outcome of `values[i]`.
 */
export function latestDone(
  values: readonly unknown[],
  outcomes: readonly RecordOutcome[],
  timeOf: (value: unknown) => string | undefined,
  receivedAt: Date,
): string | undefined {
  const bound = new Date(receivedAt.getTime() + MAX_FUTURE_SKEW_MS).toISOString();
  let latest: string | undefined;
  values.forEach((value, index) => {
    const outcome = outcomes[index];
    if (!outcome || refusedAsFuture(outcome)) return;
    const time = timeOf(value);
    if (time === undefined || time > bound) return;
    if (latest === undefined || time > latest) latest = time;
  });
  return latest;
}

/** How many source ids refused as lying in the future a cursor remembers. */
const REMEMBERED_FUTURE = 100;

/**
 * A record refused as lying in the future stays before the cursor, so a server that does not
 * bound its answers by time (SensorThings `ge`, an Open311 server ignoring end_date) sends it
 * again with every poll. It is dead-lettered the first time only: later refusals of a source id
 * the cursor remembers are dropped (once its time has come, it is accepted as usual).
 */
export function dropRepeatedFutureRefusals(
  outcomes: readonly RecordOutcome[],
  remembered: readonly string[] = [],
): { outcomes: RecordOutcome[]; future: string[] } {
  const known = new Set(remembered);
  const future = [...remembered];
  const kept: RecordOutcome[] = [];
  for (const outcome of outcomes) {
    if (refusedAsFuture(outcome) && !outcome.ok && outcome.sourceId !== undefined) {
      if (known.has(outcome.sourceId)) continue;
      known.add(outcome.sourceId);
      future.push(outcome.sourceId);
    }
    kept.push({ ...outcome, index: kept.length });
  }
  return { outcomes: kept, future: future.slice(-REMEMBERED_FUTURE) };
}
