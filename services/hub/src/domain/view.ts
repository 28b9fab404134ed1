/** The API's view of a warning, from the lifecycle state. Pure. */
import type { Acknowledgement, WarningView } from '@liandong/contracts';
import type { LifecycleState, UnitDeadline } from './lifecycle.ts';

export function acknowledgementOf(deadline: UnitDeadline): Acknowledgement {
  return {
    department: deadline.unit,
    state: deadline.state,
    level: deadline.level,
    revision: deadline.armedRevision,
    armedAt: deadline.armedAt,
    deadline: deadline.deadline,
    acknowledgedAt: deadline.acknowledgedAt,
    acknowledgedBy: deadline.acknowledgedBy,
    late: deadline.late,
    note: deadline.note,
    escalations: deadline.escalationStep,
    closedReason: deadline.closedReason,
  };
}

/** The matrix in the order the warning routes its units, then any unit no longer routed. */
export function viewOf(state: LifecycleState): WarningView {
  const order = (unit: string) => {
    const i = state.warning.departments.indexOf(unit as never);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return {
    ...state.warning,
    acknowledgements: Object.values(state.units)
      .sort((a, b) => order(a.unit) - order(b.unit))
      .map(acknowledgementOf),
    resolution: state.resolution,
  };
}
