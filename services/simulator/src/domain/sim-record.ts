import type { DepartmentCode, EventStatus } from '@liandong/contracts';

export type SimContentType = 'application/json' | 'application/cap+xml';

/**
 * One record a department system would send, scheduled `atMs` after its scenario's start. Its
 * body is built when it is due, with the time it happened (wall-clock when live, simulated when
 * exported) and the status the simulator runs under (Exercise unless told otherwise).
 */
export interface SimRecord {
  atMs: number;
  department: DepartmentCode;
  sourceId: string;
  contentType: SimContentType;
  scenario: string;
  /**
   * How long after it happened the department's system sends it (a clinic that reports a case
   * hours late): the body tells the earlier time. Sent as it happens when absent.
   */
  reportedAfterMs?: number;
  build(occurredAt: Date, status: EventStatus): unknown;
}

export const MINUTE = 60_000;

/** A scenario: a named, reproducible script of records. */
export interface Scenario {
  name: string;
  title: { zh: string; en: string };
  durationMs: number;
  /** What a duty officer should see raised from it (used by tests and the README). */
  expected: string[];
  generate(runId: string, seed: number): SimRecord[];
}

/** Shanghai local time with its offset, as Chinese systems write it: 2026-06-01T10:15:00+08:00. */
export function shanghaiTime(date: Date): string {
  const local = new Date(date.getTime() + 8 * 3600_000);
  return `${local.toISOString().slice(0, 19)}+08:00`;
}
