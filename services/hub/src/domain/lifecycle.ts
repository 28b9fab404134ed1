/**
 * The warning lifecycle, per routed unit: pending → acknowledged → (done), against a deadline
 * that depends on the level. Pure: `decide` turns a command and the current state into facts,
 * `evolve` applies a fact to the state; time and ids come from the context.
 */
import {
  levelRank,
  type AckState,
  type Actor,
  type Disposition,
  type Level,
  type Resolution,
  type UnitCode,
  type Warning,
  type WarningAcknowledged,
  type WarningEscalated,
  type WarningResolved,
  type WarningStatus,
} from '@liandong/contracts';
import { AppError } from '@liandong/errors';

export interface DeadlinePolicy {
  /** Seconds a unit has to acknowledge, per level. */
  seconds: Record<Level, number>;
  /** Escalation steps per armed deadline: step n falls due at deadline + (n - 1) periods. */
  escalationSteps: number;
}

export const DEFAULT_DEADLINES: DeadlinePolicy = {
  seconds: { red: 300, orange: 600, yellow: 1800, blue: 3600 },
  escalationSteps: 2,
};

export interface UnitDeadline {
  unit: UnitCode;
  /** How often this unit's deadline was armed (a level raise re-arms it). */
  arm: number;
  armedRevision: number;
  level: Level;
  armedAt: string;
  deadline: string;
  state: AckState;
  acknowledgedAt: string | null;
  acknowledgedBy: Actor | null;
  late: boolean | null;
  note: string | null;
  escalationStep: number;
  nextEscalationAt: string | null;
  closedReason: string | null;
}

export interface LifecycleState {
  /** The latest revision, its status the hub's. */
  warning: Warning;
  units: Partial<Record<UnitCode, UnitDeadline>>;
  resolution: Resolution | null;
}

export type LifecycleCommand =
  | { type: 'receive'; warning: Warning }
  | { type: 'acknowledge'; unit: UnitCode; by: Actor; note?: string }
  | { type: 'escalate' }
  | { type: 'resolve'; disposition: Disposition; by: Actor; note?: string };

export type LifecycleEvent =
  | { type: 'revision.received'; warning: Warning; current: boolean }
  | {
      type: 'deadline.armed';
      unit: UnitCode;
      arm: number;
      revision: number;
      level: Level;
      armedAt: string;
      deadline: string;
      nextEscalationAt: string;
    }
  | { type: 'deadline.closed'; unit: UnitCode; reason: string; at: string }
  | { type: 'activity'; activity: WarningAcknowledged }
  | {
      type: 'activity';
      activity: WarningEscalated;
      arm: number;
      step: number;
      nextEscalationAt: string | null;
    }
  | { type: 'activity'; activity: WarningResolved };

export interface LifecycleContext {
  now: Date;
  policy: DeadlinePolicy;
  newId: () => string;
}

const plus = (iso: string | Date, seconds: number) =>
  new Date(new Date(iso).getTime() + seconds * 1000).toISOString();

/** Who is told at each escalation step: operators and the unit's supervisor, then the duty leader. */
export function notifiedFor(unit: UnitCode, step: number): string[] {
  return step === 1
    ? ['operators', `supervisor:${unit}`]
    : ['operators', `supervisor:${unit}`, 'duty-leader'];
}

function arm(
  unit: UnitCode,
  previous: UnitDeadline | undefined,
  warning: Warning,
  ctx: LifecycleContext,
): Extract<LifecycleEvent, { type: 'deadline.armed' }> {
  const armedAt = ctx.now.toISOString();
  const deadline = plus(armedAt, ctx.policy.seconds[warning.level]);
  return {
    type: 'deadline.armed',
    unit,
    arm: (previous?.arm ?? 0) + 1,
    revision: warning.revision,
    level: warning.level,
    armedAt,
    deadline,
    nextEscalationAt: deadline,
  };
}

function closeOpen(state: LifecycleState, reason: string, ctx: LifecycleContext): LifecycleEvent[] {
  return Object.values(state.units)
    .filter((u) => u.state === 'pending')
    .map((u) => ({ type: 'deadline.closed', unit: u.unit, reason, at: ctx.now.toISOString() }));
}

function receive(
  state: LifecycleState | undefined,
  warning: Warning,
  ctx: LifecycleContext,
): LifecycleEvent[] {
  if (!state) {
    const events: LifecycleEvent[] = [{ type: 'revision.received', warning, current: true }];
    if (warning.status === 'active')
      for (const unit of warning.departments) events.push(arm(unit, undefined, warning, ctx));
    return events;
  }
  const current = state.warning;
  if (warning.revision === current.revision) return [];
  // An older revision arriving late is kept for the record but changes nothing.
  if (warning.revision < current.revision) return [{ type: 'revision.received', warning, current: false }];
  // An operator's resolution stands: later revisions are recorded, the warning stays resolved.
  const status: WarningStatus = current.status === 'resolved' ? 'resolved' : warning.status;
  const events: LifecycleEvent[] = [
    { type: 'revision.received', warning: { ...warning, status }, current: true },
  ];
  if (status === 'cancelled') return [...events, ...closeOpen(state, 'cancelled', ctx)];
  if (status === 'resolved') return events;
  const raised = levelRank(warning.level) > levelRank(current.level);
  for (const unit of warning.departments) {
    const previous = state.units[unit];
    // New evidence that raises the level re-arms every routed unit, acknowledged or not; a unit
    // newly routed, or routed again, is armed.
    if (!previous || raised || previous.state === 'closed') events.push(arm(unit, previous, warning, ctx));
  }
  for (const deadline of Object.values(state.units)) {
    if (deadline.state === 'pending' && !warning.departments.includes(deadline.unit))
      events.push({
        type: 'deadline.closed',
        unit: deadline.unit,
        reason: 'no longer routed',
        at: ctx.now.toISOString(),
      });
  }
  return events;
}

function mustExist(state: LifecycleState | undefined): LifecycleState {
  if (!state) throw new AppError('not_found', 'no such warning');
  return state;
}

function acknowledge(
  given: LifecycleState | undefined,
  command: Extract<LifecycleCommand, { type: 'acknowledge' }>,
  ctx: LifecycleContext,
): LifecycleEvent[] {
  const state = mustExist(given);
  const { warning } = state;
  const deadline = state.units[command.unit];
  if (!deadline || !warning.departments.includes(command.unit))
    throw new AppError('validation_failed', `warning ${warning.id} is not routed to ${command.unit}`, {
      errors: [
        {
          pointer: '/department',
          code: 'not_routed',
          message: `routed to ${warning.departments.join(', ')}`,
        },
      ],
    });
  if (warning.status !== 'active')
    throw new AppError(
      'conflict',
      `warning ${warning.id} is ${warning.status}: there is nothing to acknowledge`,
    );
  if (deadline.state === 'acknowledged')
    throw new AppError(
      'conflict',
      `${command.unit} acknowledged this warning already (${deadline.acknowledgedBy?.username ?? '?'} at ${deadline.acknowledgedAt ?? '?'})`,
    );
  if (deadline.state === 'closed')
    throw new AppError(
      'conflict',
      `${command.unit}'s deadline is closed (${deadline.closedReason ?? 'closed'})`,
    );
  const at = ctx.now.toISOString();
  const activity: WarningAcknowledged = {
    type: 'warning.acknowledged',
    id: ctx.newId(),
    warningId: warning.id,
    revision: warning.revision,
    at,
    department: command.unit,
    by: command.by,
    deadline: deadline.deadline,
    late: ctx.now.getTime() > new Date(deadline.deadline).getTime(),
    ...(command.note ? { note: command.note } : {}),
  };
  return [{ type: 'activity', activity }];
}

function escalate(state: LifecycleState | undefined, ctx: LifecycleContext): LifecycleEvent[] {
  if (!state || state.warning.status !== 'active') return [];
  const events: LifecycleEvent[] = [];
  for (const deadline of Object.values(state.units)) {
    if (deadline.state !== 'pending' || deadline.nextEscalationAt === null) continue;
    if (new Date(deadline.nextEscalationAt).getTime() > ctx.now.getTime()) continue;
    const step = deadline.escalationStep + 1;
    const period = ctx.policy.seconds[deadline.level];
    const activity: WarningEscalated = {
      type: 'warning.escalated',
      id: ctx.newId(),
      warningId: state.warning.id,
      revision: state.warning.revision,
      at: ctx.now.toISOString(),
      department: deadline.unit,
      level: deadline.level,
      deadline: deadline.deadline,
      notified: notifiedFor(deadline.unit, step),
    };
    events.push({
      type: 'activity',
      activity,
      arm: deadline.arm,
      step,
      nextEscalationAt: step < ctx.policy.escalationSteps ? plus(deadline.deadline, step * period) : null,
    });
  }
  return events;
}

function resolve(
  given: LifecycleState | undefined,
  command: Extract<LifecycleCommand, { type: 'resolve' }>,
  ctx: LifecycleContext,
): LifecycleEvent[] {
  const state = mustExist(given);
  if (state.resolution)
    throw new AppError(
      'conflict',
      `warning ${state.warning.id} was resolved already (${state.resolution.disposition}, by ${state.resolution.by.username} at ${state.resolution.at})`,
    );
  const activity: WarningResolved = {
    type: 'warning.resolved',
    id: ctx.newId(),
    warningId: state.warning.id,
    revision: state.warning.revision,
    at: ctx.now.toISOString(),
    disposition: command.disposition,
    by: command.by,
    ...(command.note ? { note: command.note } : {}),
  };
  return [{ type: 'activity', activity }, ...closeOpen(state, 'resolved', ctx)];
}

/** What a command leads to, given the state; throws an AppError when it cannot be done. */
export function decide(
  state: LifecycleState | undefined,
  command: LifecycleCommand,
  ctx: LifecycleContext,
): LifecycleEvent[] {
  switch (command.type) {
    case 'receive':
      return receive(state, command.warning, ctx);
    case 'acknowledge':
      return acknowledge(state, command, ctx);
    case 'escalate':
      return escalate(state, ctx);
    case 'resolve':
      return resolve(state, command, ctx);
  }
}

/** Applies one fact. An activity from elsewhere (warning-activity.v1) goes through here too. */
export function evolve(state: LifecycleState | undefined, event: LifecycleEvent): LifecycleState | undefined {
  if (event.type === 'revision.received') {
    if (!state) return { warning: event.warning, units: {}, resolution: null };
    return event.current ? { ...state, warning: event.warning } : state;
  }
  if (!state) return state;
  const units = { ...state.units };
  switch (event.type) {
    case 'deadline.armed':
      units[event.unit] = {
        unit: event.unit,
        arm: event.arm,
        armedRevision: event.revision,
        level: event.level,
        armedAt: event.armedAt,
        deadline: event.deadline,
        state: 'pending',
        acknowledgedAt: null,
        acknowledgedBy: null,
        late: null,
        note: null,
        escalationStep: 0,
        nextEscalationAt: event.nextEscalationAt,
        closedReason: null,
      };
      return { ...state, units };
    case 'deadline.closed': {
      const deadline = units[event.unit];
      if (deadline)
        units[event.unit] = {
          ...deadline,
          state: 'closed',
          nextEscalationAt: null,
          closedReason: event.reason,
        };
      return { ...state, units };
    }
    case 'activity': {
      const activity = event.activity;
      switch (activity.type) {
        case 'warning.acknowledged': {
          const deadline = units[activity.department];
          if (deadline)
            units[activity.department] = {
              ...deadline,
              state: 'acknowledged',
              acknowledgedAt: activity.at,
              acknowledgedBy: activity.by,
              late: activity.late,
              note: activity.note ?? null,
              nextEscalationAt: null,
            };
          return { ...state, units };
        }
        case 'warning.escalated': {
          const deadline = units[activity.department];
          if (deadline && 'step' in event)
            units[activity.department] = {
              ...deadline,
              escalationStep: event.step,
              nextEscalationAt: event.nextEscalationAt,
            };
          return { ...state, units };
        }
        case 'warning.resolved':
          return {
            ...state,
            warning: { ...state.warning, status: 'resolved' },
            resolution: {
              disposition: activity.disposition,
              note: activity.note ?? null,
              by: activity.by,
              at: activity.at,
            },
          };
      }
    }
  }
}

/** The state after a sequence of facts. */
export function evolveAll(state: LifecycleState | undefined, events: readonly LifecycleEvent[]) {
  return events.reduce(evolve, state);
}

/**
 * The facts an activity received from warning-activity.v1 stands for, when this hub did not
 * write it itself (another site's hub, or a rebuild from the topic).
 */
export function factsOfActivity(
  state: LifecycleState | undefined,
  activity: WarningAcknowledged | WarningEscalated | WarningResolved,
  ctx: Pick<LifecycleContext, 'policy'>,
): LifecycleEvent[] {
  if (!state) return [];
  switch (activity.type) {
    case 'warning.acknowledged':
      return state.units[activity.department]?.state === 'pending' ? [{ type: 'activity', activity }] : [];
    case 'warning.escalated': {
      const deadline = state.units[activity.department];
      if (!deadline || deadline.state !== 'pending') return [];
      const step = deadline.escalationStep + 1;
      const next =
        step < ctx.policy.escalationSteps
          ? plus(deadline.deadline, step * ctx.policy.seconds[deadline.level])
          : null;
      return [{ type: 'activity', activity, arm: deadline.arm, step, nextEscalationAt: next }];
    }
    case 'warning.resolved': {
      if (state.resolution) return [];
      const at = new Date(activity.at);
      return [
        { type: 'activity', activity },
        ...closeOpen(state, 'resolved', { now: at, policy: ctx.policy, newId: () => '' }),
      ];
    }
  }
}
