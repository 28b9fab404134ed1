/**
 * Runs lifecycle commands against PostgreSQL: one transaction per command, serialized per
 * warning by an advisory lock (two hubs take turns), the pure `decide` in the middle, then the
 * facts written to the projections, the activity outbox, the live push log and the audit log —
 * all of it commits together or not at all.
 */
import type { Actor, Warning, WarningActivity } from '@liandong/contracts';
import {
  appendAuditEntriesWith,
  toDatabaseError,
  type AuditEntryInput,
  type Pool,
  type PoolClient,
} from '@liandong/db';
import { AppError } from '@liandong/errors';
import type { Logger } from '@liandong/logger';
import { audiencesFor } from '../domain/access.ts';
import {
  decide,
  evolveAll,
  factsOfActivity,
  type DeadlinePolicy,
  type LifecycleCommand,
  type LifecycleEvent,
  type LifecycleState,
} from '../domain/lifecycle.ts';
import type { PendingPush, PushRepository } from './push.repository.ts';
import { toState, VIEW, type ViewRow } from './warning.rows.ts';

export interface CommandMeta {
  /** Who asked, for the audit log (the correlator, the hub itself, a person). */
  actor: Actor;
  ip?: string;
  /** Written in the same transaction after the facts (e.g. the idempotency record of the request). */
  alsoInTransaction?: (client: PoolClient, state: LifecycleState | undefined) => Promise<void>;
}

export interface CommandOutcome {
  events: LifecycleEvent[];
  state: LifecycleState | undefined;
  /** False when another hub held the warning (escalation scan) or the message was a repeat. */
  applied: boolean;
  /** Notification outbox rows written. */
  notifications?: number;
}

export interface LifecycleStoreDeps {
  pool: Pool;
  pushes: PushRepository;
  policy: DeadlinePolicy;
  now: () => Date;
  newId: () => string;
  logger: Logger;
  /** Called after a commit that wrote activities to the outbox. */
  onActivity?: () => void;
  /** Seconds one command's transaction took, by command. */
  observe?: (command: string, seconds: number) => void;
  /**
   * Notifications (notify/): outbox rows written in the command's transaction for what this hub
   * decided (not for activities read back from Kafka), and a kick after the commit.
   */
  notifications?: {
    enqueue(
      client: PoolClient,
      before: LifecycleState | undefined,
      events: readonly LifecycleEvent[],
      state: LifecycleState,
    ): Promise<number>;
    kick(): void;
  };
}

const SYSTEM: Actor = { username: 'hub', role: 'system' };

/** What a transaction writes at its end: live pushes and audit entries, in the order decided. */
interface Tail {
  pushes: PendingPush[];
  audits: AuditEntryInput[];
}

export function createLifecycleStore(deps: LifecycleStoreDeps) {
  const { pool, pushes } = deps;

  async function lock(client: PoolClient, warningId: string, wait: boolean): Promise<boolean> {
    if (wait) {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('liandong.warning'), hashtext($1))", [
        warningId,
      ]);
      return true;
    }
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_xact_lock(hashtext('liandong.warning'), hashtext($1)) AS locked",
      [warningId],
    );
    return rows[0]?.locked === true;
  }

  async function load(client: PoolClient, warningId: string): Promise<LifecycleState | undefined> {
    const { rows } = await client.query<ViewRow>(`${VIEW} WHERE w.id = $1`, [warningId]);
    return rows[0] ? toState(rows[0]) : undefined;
  }

  async function arm(
    client: PoolClient,
    warningId: string,
    armed: Extract<LifecycleEvent, { type: 'deadline.armed' }>[],
  ) {
    await client.query(
      `INSERT INTO acknowledgements (warning_id, unit, arm, armed_revision, level, armed_at, deadline, state, next_escalation_at)
       SELECT $1, u.unit, u.arm, u.revision, u.level, u.armed_at, u.deadline, 'pending', u.next
       FROM unnest($2::text[], $3::int[], $4::int[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
         AS u(unit, arm, revision, level, armed_at, deadline, next)
       ON CONFLICT (warning_id, unit) DO UPDATE SET arm = EXCLUDED.arm, armed_revision = EXCLUDED.armed_revision,
         level = EXCLUDED.level, armed_at = EXCLUDED.armed_at, deadline = EXCLUDED.deadline, state = 'pending',
         acknowledged_at = NULL, acknowledged_by = NULL, acknowledged_role = NULL, late = NULL, note = NULL,
         escalation_step = 0, next_escalation_at = EXCLUDED.next_escalation_at, closed_reason = NULL`,
      [
        warningId,
        armed.map((e) => e.unit),
        armed.map((e) => e.arm),
        armed.map((e) => e.revision),
        armed.map((e) => e.level),
        armed.map((e) => e.armedAt),
        armed.map((e) => e.deadline),
        armed.map((e) => e.nextEscalationAt),
      ],
    );
  }

  async function writeActivity(client: PoolClient, activity: WarningActivity, origin: 'hub' | 'kafka') {
    await client.query(
      `INSERT INTO warning_activity (id, warning_id, type, at, doc, origin, published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [
        activity.id,
        activity.warningId,
        activity.type,
        activity.at,
        activity,
        origin,
        origin === 'kafka' ? deps.now() : null,
      ],
    );
  }

  async function persist(
    client: PoolClient,
    warningId: string,
    event: LifecycleEvent,
    origin: 'hub' | 'kafka',
    exercise: boolean,
  ) {
    switch (event.type) {
      case 'revision.received': {
        if (!event.current) return;
        const w = event.warning;
        await client.query(
          `INSERT INTO warnings (id, revision, rule_id, level, category, status, exercise, departments, raised_at, updated_at, doc, received_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, rule_id = EXCLUDED.rule_id, level = EXCLUDED.level,
             category = EXCLUDED.category, status = EXCLUDED.status, exercise = EXCLUDED.exercise,
             departments = EXCLUDED.departments, raised_at = EXCLUDED.raised_at, updated_at = EXCLUDED.updated_at,
             doc = EXCLUDED.doc, received_at = EXCLUDED.received_at`,
          [
            w.id,
            w.revision,
            w.ruleId,
            w.level,
            w.category,
            w.status,
            w.exercise,
            w.departments,
            w.raisedAt,
            w.updatedAt,
            w,
            deps.now(),
          ],
        );
        return;
      }
      case 'deadline.armed':
        await arm(client, warningId, [event]);
        return;
      case 'deadline.closed':
        await client.query(
          `UPDATE acknowledgements SET state = 'closed', next_escalation_at = NULL, closed_reason = $3
           WHERE warning_id = $1 AND unit = $2`,
          [warningId, event.unit, event.reason],
        );
        return;
      case 'activity': {
        const activity = event.activity;
        await writeActivity(client, activity, origin);
        switch (activity.type) {
          case 'warning.acknowledged':
            await client.query(
              `UPDATE acknowledgements SET state = 'acknowledged', acknowledged_at = $3, acknowledged_by = $4,
                 acknowledged_role = $5, late = $6, note = $7, next_escalation_at = NULL
               WHERE warning_id = $1 AND unit = $2`,
              [
                warningId,
                activity.department,
                activity.at,
                activity.by.username,
                activity.by.role,
                activity.late,
                activity.note ?? null,
              ],
            );
            return;
          case 'warning.escalated': {
            if (!('step' in event)) return;
            const claimed = await client.query(
              `INSERT INTO escalations (warning_id, unit, arm, step, level, deadline, escalated_at, notified, exercise, activity_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
              [
                warningId,
                activity.department,
                event.arm,
                event.step,
                activity.level,
                activity.deadline,
                activity.at,
                activity.notified,
                exercise,
                activity.id,
              ],
            );
            // The warning lock makes this impossible; the key is the last line of defence.
            if (claimed.rowCount !== 1) throw new AppError('conflict', 'escalation step taken already');
            await client.query(
              `UPDATE acknowledgements SET escalation_step = $3, next_escalation_at = $4 WHERE warning_id = $1 AND unit = $2`,
              [warningId, activity.department, event.step, event.nextEscalationAt],
            );
            return;
          }
          case 'warning.resolved':
            await client.query(
              `INSERT INTO dispositions (warning_id, disposition, note, by_username, by_role, at, activity_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7)`,
              [
                warningId,
                activity.disposition,
                activity.note ?? null,
                activity.by.username,
                activity.by.role,
                activity.at,
                activity.id,
              ],
            );
            await client.query(
              `UPDATE warnings SET status = 'resolved', doc = jsonb_set(doc, '{status}', '"resolved"') WHERE id = $1`,
              [warningId],
            );
            return;
        }
      }
    }
  }

  function pushesOf(events: readonly LifecycleEvent[], state: LifecycleState): PendingPush[] {
    const out: PendingPush[] = [];
    const at = deps.now().toISOString();
    for (const event of events) {
      if (event.type === 'revision.received' && event.current)
        out.push({
          audiences: audiencesFor(state.warning.departments),
          type: 'warning',
          data: state.warning,
          dedupeKey: `warning:${state.warning.id}:${state.warning.revision}`,
          at,
        });
      if (event.type === 'activity') {
        const units = [
          ...state.warning.departments,
          ...('department' in event.activity ? [event.activity.department] : []),
        ];
        out.push({
          audiences: audiencesFor(units),
          type: 'activity',
          data: event.activity,
          dedupeKey: `activity:${event.activity.id}`,
          at,
        });
      }
    }
    return out;
  }

  function audit(
    tail: Tail,
    before: LifecycleState | undefined,
    events: readonly LifecycleEvent[],
    meta: CommandMeta,
  ) {
    const ip = meta.ip ? { ip: meta.ip } : {};
    for (const event of events) {
      if (event.type === 'revision.received' && event.current) {
        const w = event.warning;
        const action = !before
          ? 'warning.raised'
          : w.status === 'cancelled'
            ? 'warning.cancelled'
            : 'warning.revised';
        tail.audits.push({
          actor: meta.actor.username,
          actorRole: meta.actor.role,
          action,
          target: w.id,
          outcome: 'ok',
          detail: {
            revision: w.revision,
            level: w.level,
            status: w.status,
            exercise: w.exercise,
            departments: w.departments,
            armed: events.flatMap((e) => (e.type === 'deadline.armed' ? [e.unit] : [])),
            closed: events.flatMap((e) => (e.type === 'deadline.closed' ? [e.unit] : [])),
          },
          ...ip,
        });
      }
      if (event.type !== 'activity') continue;
      const a = event.activity;
      const actor = a.type === 'warning.escalated' ? SYSTEM : a.by;
      const detail: Record<string, unknown> =
        a.type === 'warning.acknowledged'
          ? {
              department: a.department,
              late: a.late,
              revision: a.revision,
              onBehalf: a.by.role === 'operator',
            }
          : a.type === 'warning.escalated'
            ? {
                department: a.department,
                level: a.level,
                deadline: a.deadline,
                notified: a.notified,
                step: 'step' in event ? event.step : null,
              }
            : {
                disposition: a.disposition,
                revision: a.revision,
                closed: events.flatMap((e) => (e.type === 'deadline.closed' ? [e.unit] : [])),
              };
      tail.audits.push({
        actor: actor.username,
        actorRole: actor.role,
        action: a.type,
        target: a.warningId,
        outcome: 'ok',
        detail: { activityId: a.id, ...detail },
        ...ip,
      });
    }
  }

  async function transact(
    warningId: string,
    wait: boolean,
    work: (client: PoolClient, tail: Tail) => Promise<CommandOutcome>,
  ): Promise<CommandOutcome> {
    const outcomes = await transactMany([warningId], wait, async (client, tail) => [
      await work(client, tail),
    ]);
    return outcomes[0] ?? { events: [], state: undefined, applied: false };
  }

  /**
   * One transaction over several warnings: their locks are all taken first, in id order, before
   * any audit entry takes the audit log's lock — so it never deadlocks with single commands or
   * another hub's batch. An empty result: a warning was held and `wait` was false.
   */
  async function transactMany(
    warningIds: readonly string[],
    wait: boolean,
    work: (client: PoolClient, tail: Tail) => Promise<CommandOutcome[]>,
  ): Promise<CommandOutcome[]> {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toDatabaseError(error);
    }
    try {
      await client.query('BEGIN');
      for (const id of [...new Set(warningIds)].sort()) {
        if (!(await lock(client, id, wait))) {
          await client.query('ROLLBACK');
          return [];
        }
      }
      const tail: Tail = { pushes: [], audits: [] };
      const outcomes = await work(client, tail);
      // Last, because each serializes every writer to its commit: the live push counters, then
      // the audit chain's lock.
      await pushes.append(client, tail.pushes);
      await appendAuditEntriesWith(client, tail.audits);
      await client.query('COMMIT');
      if (outcomes.some((o) => o.events.some((e) => e.type === 'activity'))) deps.onActivity?.();
      if (outcomes.some((o) => o.notifications)) deps.notifications?.kick();
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof AppError) throw error;
      throw toDatabaseError(error);
    } finally {
      client.release();
    }
  }

  async function apply(
    client: PoolClient,
    tail: Tail,
    warningId: string,
    before: LifecycleState | undefined,
    events: LifecycleEvent[],
    meta: CommandMeta,
    origin: 'hub' | 'kafka',
  ): Promise<CommandOutcome> {
    const state = evolveAll(before, events);
    if (events.length === 0 || !state) {
      await meta.alsoInTransaction?.(client, state);
      return { events, state, applied: events.length > 0 };
    }
    const armed = events.filter((e) => e.type === 'deadline.armed');
    for (const event of events) {
      if (event.type !== 'deadline.armed')
        await persist(client, warningId, event, origin, state.warning.exercise);
      // Every unit armed by this command, in one statement, right after the revision it rests on.
      else if (event === armed[0]) await arm(client, warningId, armed);
    }
    tail.pushes.push(...pushesOf(events, state));
    const notifications =
      origin === 'hub' ? await deps.notifications?.enqueue(client, before, events, state) : undefined;
    await meta.alsoInTransaction?.(client, state);
    audit(tail, before, events, meta);
    return { events, state, applied: true, ...(notifications ? { notifications } : {}) };
  }

  async function run(
    client: PoolClient,
    tail: Tail,
    warningId: string,
    command: LifecycleCommand,
    meta: CommandMeta,
  ): Promise<CommandOutcome> {
    if (command.type === 'receive') {
      const inserted = await client.query(
        `INSERT INTO warning_revisions (warning_id, revision, doc, received_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [warningId, command.warning.revision, command.warning, deps.now()],
      );
      if (inserted.rowCount !== 1) return { events: [], state: undefined, applied: false };
    }
    const before = await load(client, warningId);
    const events = decide(before, command, { now: deps.now(), policy: deps.policy, newId: deps.newId });
    return apply(client, tail, warningId, before, events, meta, 'hub');
  }

  return {
    /**
     * Runs one command. `receive` is idempotent by (warning, revision); `escalate` skips a
     * warning another hub is working on (it will do the escalation).
     */
    async execute(warningId: string, command: LifecycleCommand, meta: CommandMeta): Promise<CommandOutcome> {
      const started = performance.now();
      const outcome = await transact(warningId, command.type !== 'escalate', (client, tail) =>
        run(client, tail, warningId, command, meta),
      );
      deps.observe?.(command.type, (performance.now() - started) / 1000);
      return outcome;
    },

    /**
     * Revisions read from warnings.v1, in their order, in one transaction: what `execute` with
     * `receive` does for each, with one commit (and one wait for the audit log's lock) for all —
     * the hub keeps up with a burst of warnings. All or nothing: on an error none is recorded.
     */
    async receiveAll(warnings: readonly Warning[], meta: CommandMeta): Promise<CommandOutcome[]> {
      const started = performance.now();
      const outcomes = await transactMany(
        warnings.map((w) => w.id),
        true,
        async (client, tail) => {
          const done: CommandOutcome[] = [];
          for (const warning of warnings)
            done.push(await run(client, tail, warning.id, { type: 'receive', warning }, meta));
          return done;
        },
      );
      deps.observe?.('receive', (performance.now() - started) / 1000 / Math.max(1, warnings.length));
      return outcomes;
    },

    /** An activity read from warning-activity.v1: applied once, unless this hub wrote it. */
    async applyActivity(activity: WarningActivity): Promise<CommandOutcome> {
      return transact(activity.warningId, true, async (client, tail) => {
        const known = await client.query('SELECT 1 FROM warning_activity WHERE id = $1', [activity.id]);
        if (known.rowCount) return { events: [], state: undefined, applied: false };
        const before = await load(client, activity.warningId);
        const events = factsOfActivity(before, activity, { policy: deps.policy });
        // Recorded even when it changes nothing here, so the timeline is complete and a repeat is known.
        if (events.length === 0) await writeActivity(client, activity, 'kafka');
        return apply(
          client,
          tail,
          activity.warningId,
          before,
          events,
          { actor: 'by' in activity ? activity.by : SYSTEM },
          'kafka',
        );
      });
    },

    /** Warnings with a deadline or escalation step due at `now`. */
    async due(now: Date, limit = 100): Promise<string[]> {
      const { rows } = await pool.query<{ warning_id: string }>(
        `SELECT DISTINCT warning_id FROM acknowledgements
         WHERE state = 'pending' AND next_escalation_at <= $1 LIMIT $2`,
        [now, limit],
      );
      return rows.map((r) => r.warning_id);
    },
  };
}

export type LifecycleStore = ReturnType<typeof createLifecycleStore>;
