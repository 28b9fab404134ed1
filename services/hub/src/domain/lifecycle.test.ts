import { describe, expect, it } from 'vitest';
import type { Warning } from '@liandong/contracts';
import { testWarning } from '../hub.testing.ts';
import {
  decide,
  DEFAULT_DEADLINES,
  evolveAll,
  factsOfActivity,
  type LifecycleCommand,
  type LifecycleEvent,
  type LifecycleState,
} from './lifecycle.ts';

const T0 = new Date('2026-06-01T02:20:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function warning(overrides: Partial<Warning> = {}): Warning {
  return testWarning({
    id: 'cooccurrence-generic:abc',
    raisedAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    firstEvidenceAt: T0.toISOString(),
    lastEvidenceAt: T0.toISOString(),
    ...overrides,
  });
}

let ids = 0;
const ctx = (seconds: number) => ({
  now: at(seconds),
  policy: DEFAULT_DEADLINES,
  newId: () => `id-${++ids}`,
});

/** Given the commands so far (each at its time), the state. */
function given(...steps: [number, LifecycleCommand][]): LifecycleState | undefined {
  let state: LifecycleState | undefined;
  for (const [seconds, command] of steps) state = evolveAll(state, decide(state, command, ctx(seconds)));
  return state;
}

const liaison = { username: 'liaison-water', role: 'liaison' as const };
const operator = { username: 'operator', role: 'operator' as const };
const types = (events: LifecycleEvent[]) =>
  events.map((e) =>
    e.type === 'activity' ? e.activity.type : `${e.type}${'unit' in e ? `:${e.unit}` : ''}`,
  );

describe('warning lifecycle', () => {
  it('given a new warning, when received, then every routed unit is armed with the level’s deadline', () => {
    const events = decide(undefined, { type: 'receive', warning: warning() }, ctx(1));
    expect(types(events)).toEqual(['revision.received', 'deadline.armed:water', 'deadline.armed:emergency']);
    const state = evolveAll(undefined, events);
    expect(state?.units.water).toMatchObject({
      state: 'pending',
      level: 'yellow',
      deadline: at(1 + 1800).toISOString(),
      arm: 1,
    });
  });

  it('given a pending unit, when its liaison acknowledges in time, then it is acknowledged and not late', () => {
    const state = given([0, { type: 'receive', warning: warning() }]);
    const events = decide(state, { type: 'acknowledge', unit: 'water', by: liaison, note: '收到' }, ctx(60));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'activity',
      activity: { type: 'warning.acknowledged', department: 'water', late: false, note: '收到', by: liaison },
    });
    expect(evolveAll(state, events)?.units.water?.state).toBe('acknowledged');
  });

  it('given an acknowledged unit, when acknowledged again, then it is a conflict naming who did it first', () => {
    const state = given(
      [0, { type: 'receive', warning: warning() }],
      [60, { type: 'acknowledge', unit: 'water', by: liaison }],
    );
    expect(() => decide(state, { type: 'acknowledge', unit: 'water', by: operator }, ctx(70))).toThrow(
      /acknowledged this warning already \(liaison-water/,
    );
  });

  it('given a unit the warning is not routed to, when acknowledged, then it is refused naming the routed units', () => {
    const state = given([0, { type: 'receive', warning: warning() }]);
    expect(() => decide(state, { type: 'acknowledge', unit: 'police', by: operator }, ctx(5))).toThrow(
      /not routed to police/,
    );
  });

  it('given a missed deadline, when escalation runs, then it escalates once per step and never twice', () => {
    const state = given([0, { type: 'receive', warning: warning({ level: 'red' }) }]);
    expect(decide(state, { type: 'escalate' }, ctx(299))).toEqual([]);
    const first = decide(state, { type: 'escalate' }, ctx(301));
    expect(types(first)).toEqual(['warning.escalated', 'warning.escalated']);
    expect(first[0]).toMatchObject({ step: 1, activity: { notified: ['operators', 'supervisor:water'] } });
    const after = evolveAll(state, first);
    expect(decide(after, { type: 'escalate' }, ctx(302))).toEqual([]);
    const second = decide(after, { type: 'escalate' }, ctx(601));
    expect(second[0]).toMatchObject({ step: 2, nextEscalationAt: null });
    expect(
      second[0]?.type === 'activity' &&
        second[0].activity.type === 'warning.escalated' &&
        second[0].activity.notified,
    ).toContain('duty-leader');
    expect(decide(evolveAll(after, second), { type: 'escalate' }, ctx(10_000))).toEqual([]);
  });

  it('given an acknowledged unit, when the deadline passes, then only the other unit escalates; a late acknowledgement is marked late', () => {
    const state = given(
      [0, { type: 'receive', warning: warning({ level: 'red' }) }],
      [10, { type: 'acknowledge', unit: 'water', by: liaison }],
    );
    const escalated = decide(state, { type: 'escalate' }, ctx(301));
    expect(
      escalated.map(
        (e) => e.type === 'activity' && e.activity.type === 'warning.escalated' && e.activity.department,
      ),
    ).toEqual(['emergency']);
    const late = decide(
      evolveAll(state, escalated),
      { type: 'acknowledge', unit: 'emergency', by: operator },
      ctx(400),
    );
    expect(late[0]).toMatchObject({ activity: { late: true } });
  });

  it('given an acknowledged warning, when new evidence raises the level, then every routed unit is re-armed at the new level', () => {
    const state = given(
      [0, { type: 'receive', warning: warning() }],
      [10, { type: 'acknowledge', unit: 'water', by: liaison }],
    );
    const events = decide(
      state,
      { type: 'receive', warning: warning({ revision: 2, level: 'orange' }) },
      ctx(100),
    );
    expect(types(events)).toEqual(['revision.received', 'deadline.armed:water', 'deadline.armed:emergency']);
    const after = evolveAll(state, events);
    expect(after?.units.water).toMatchObject({
      state: 'pending',
      arm: 2,
      level: 'orange',
      deadline: at(100 + 600).toISOString(),
    });
  });

  it('given a revision at the same level, when received, then acknowledgements stand; a newly routed unit is armed', () => {
    const state = given(
      [0, { type: 'receive', warning: warning() }],
      [10, { type: 'acknowledge', unit: 'water', by: liaison }],
    );
    const events = decide(
      state,
      { type: 'receive', warning: warning({ revision: 2, departments: ['water', 'emergency', 'traffic'] }) },
      ctx(100),
    );
    expect(types(events)).toEqual(['revision.received', 'deadline.armed:traffic']);
  });

  it('given open deadlines, when the evidence cancels the warning, then they are closed and nothing escalates', () => {
    const state = given(
      [0, { type: 'receive', warning: warning({ level: 'red' }) }],
      [10, { type: 'acknowledge', unit: 'water', by: liaison }],
    );
    const events = decide(
      state,
      { type: 'receive', warning: warning({ revision: 2, level: 'red', status: 'cancelled' }) },
      ctx(20),
    );
    expect(types(events)).toEqual(['revision.received', 'deadline.closed:emergency']);
    const after = evolveAll(state, events);
    expect(decide(after, { type: 'escalate' }, ctx(10_000))).toEqual([]);
    expect(() => decide(after, { type: 'acknowledge', unit: 'emergency', by: operator }, ctx(30))).toThrow(
      /cancelled/,
    );
  });

  it('given a resolved warning, when a later revision arrives, then it is recorded and the warning stays resolved', () => {
    const state = given(
      [0, { type: 'receive', warning: warning() }],
      [10, { type: 'resolve', disposition: 'false_alarm', by: operator }],
    );
    expect(state?.warning.status).toBe('resolved');
    expect(state?.units.water?.state).toBe('closed');
    const events = decide(
      state,
      { type: 'receive', warning: warning({ revision: 2, level: 'red' }) },
      ctx(20),
    );
    expect(types(events)).toEqual(['revision.received']);
    expect(evolveAll(state, events)?.warning).toMatchObject({ revision: 2, status: 'resolved' });
    expect(() => decide(state, { type: 'resolve', disposition: 'confirmed', by: operator }, ctx(30))).toThrow(
      /resolved already \(false_alarm/,
    );
  });

  it('given a redelivered or older revision, when received, then nothing changes', () => {
    const state = given([0, { type: 'receive', warning: warning({ revision: 2 }) }]);
    expect(decide(state, { type: 'receive', warning: warning({ revision: 2 }) }, ctx(5))).toEqual([]);
    const older = decide(state, { type: 'receive', warning: warning({ revision: 1, level: 'red' }) }, ctx(5));
    expect(older).toEqual([
      { type: 'revision.received', warning: warning({ revision: 1, level: 'red' }), current: false },
    ]);
    expect(evolveAll(state, older)?.warning.revision).toBe(2);
  });

  it('given an activity from warning-activity.v1 this hub did not write, then it applies once', () => {
    const state = given([0, { type: 'receive', warning: warning() }]);
    const activity = {
      type: 'warning.acknowledged' as const,
      id: 'x',
      warningId: 'cooccurrence-generic:abc',
      revision: 1,
      at: at(5).toISOString(),
      department: 'water' as const,
      by: liaison,
      deadline: at(1800).toISOString(),
      late: false,
    };
    const facts = factsOfActivity(state, activity, { policy: DEFAULT_DEADLINES });
    const after = evolveAll(state, facts);
    expect(after?.units.water?.state).toBe('acknowledged');
    expect(factsOfActivity(after, activity, { policy: DEFAULT_DEADLINES })).toEqual([]);
  });
});
