/** The rows of a warning's lifecycle state, read in one query (projections and the store share them). */
import type { Actor, Level, UnitCode, Warning, WarningView } from '@liandong/contracts';
import type { LifecycleState, UnitDeadline } from '../domain/lifecycle.ts';
import { viewOf } from '../domain/view.ts';

export interface AckRow {
  unit: UnitCode;
  arm: number;
  armed_revision: number;
  level: Level;
  armed_at: Date;
  deadline: Date;
  state: UnitDeadline['state'];
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_role: Actor['role'] | null;
  late: boolean | null;
  note: string | null;
  escalation_step: number;
  next_escalation_at: Date | null;
  closed_reason: string | null;
}

export function toUnitDeadline(row: AckRow): UnitDeadline {
  return {
    unit: row.unit,
    arm: row.arm,
    armedRevision: row.armed_revision,
    level: row.level,
    armedAt: row.armed_at.toISOString(),
    deadline: row.deadline.toISOString(),
    state: row.state,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    acknowledgedBy:
      row.acknowledged_by && row.acknowledged_role
        ? { username: row.acknowledged_by, role: row.acknowledged_role }
        : null,
    late: row.late,
    note: row.note,
    escalationStep: row.escalation_step,
    nextEscalationAt: row.next_escalation_at?.toISOString() ?? null,
    closedReason: row.closed_reason,
  };
}

export interface ViewRow {
  doc: Warning;
  acks: (Omit<AckRow, 'armed_at' | 'deadline' | 'acknowledged_at' | 'next_escalation_at'> & {
    armed_at: string;
    deadline: string;
    acknowledged_at: string | null;
    next_escalation_at: string | null;
  })[];
  disposition: {
    disposition: 'confirmed' | 'no_impact' | 'duplicate' | 'false_alarm';
    note: string | null;
    by_username: string;
    by_role: Actor['role'];
    at: string;
  } | null;
}

export function toState(row: ViewRow): LifecycleState {
  const d = row.disposition;
  return {
    warning: row.doc,
    units: Object.fromEntries(
      row.acks.map((a) => [
        a.unit,
        toUnitDeadline({
          ...a,
          armed_at: new Date(a.armed_at),
          deadline: new Date(a.deadline),
          acknowledged_at: a.acknowledged_at ? new Date(a.acknowledged_at) : null,
          next_escalation_at: a.next_escalation_at ? new Date(a.next_escalation_at) : null,
        }),
      ]),
    ),
    resolution: d
      ? {
          disposition: d.disposition,
          note: d.note,
          by: { username: d.by_username, role: d.by_role },
          at: new Date(d.at).toISOString(),
        }
      : null,
  };
}

export function toView(row: ViewRow): WarningView {
  return viewOf(toState(row));
}

/** A warning with its acknowledgements and disposition, one row: add a WHERE on `w`. */
export const VIEW = `SELECT w.doc,
   COALESCE((SELECT json_agg(a) FROM acknowledgements a WHERE a.warning_id = w.id), '[]') AS acks,
   (SELECT row_to_json(d) FROM dispositions d WHERE d.warning_id = w.id) AS disposition
 FROM warnings w`;
