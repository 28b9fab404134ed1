/**
 * The notification outbox in PostgreSQL. `enqueue` runs inside a lifecycle command's transaction:
 * the rows commit with the state change or not at all, and the unique key (message, channel,
 * recipient) makes a second row for the same message and recipient impossible.
 */
import { randomUUID } from 'node:crypto';
import type { Level, QuietHours } from '@liandong/contracts';
import type { PoolClient } from '@liandong/db';
import type { LifecycleEvent, LifecycleState } from '../domain/lifecycle.ts';
import { channelsFor, notBefore, planNotifications, type ChannelRule } from './notification.plan.ts';

export interface OutboxSettings {
  /** How long a message is tried before it is given up. */
  lifetimeSeconds: number;
}

interface ChannelRuleRow {
  id: string;
  recipient: string;
  levels: Level[];
  exercises: boolean;
  quiet_start: string | null;
  quiet_end: string | null;
}

const quietOf = (r: { quiet_start: string | null; quiet_end: string | null }): QuietHours | null =>
  r.quiet_start && r.quiet_end ? { start: r.quiet_start.slice(0, 5), end: r.quiet_end.slice(0, 5) } : null;

export function createNotificationOutbox(settings: OutboxSettings) {
  return {
    /** Writes the rows for what these facts tell people; returns how many. */
    async enqueue(
      client: PoolClient,
      before: LifecycleState | undefined,
      events: readonly LifecycleEvent[],
      state: LifecycleState,
      now: Date,
    ): Promise<number> {
      const planned = planNotifications(before, events, state);
      if (planned.length === 0) return 0;
      const warning = state.warning;
      const rows: {
        key: string;
        channel: string;
        recipient: string;
        type: string;
        level: Level;
        facts: unknown;
        notBefore: Date;
      }[] = [];
      if (planned.some((p) => !p.toldBefore)) {
        const { rows: channels } = await client.query<ChannelRuleRow>(
          `SELECT id, recipient, levels, exercises, quiet_start::text, quiet_end::text FROM notification_channels WHERE enabled`,
        );
        const rules: ChannelRule[] = channels.map((c) => ({ ...c, quietHours: quietOf(c) }));
        for (const p of planned.filter((x) => !x.toldBefore)) {
          const level = p.facts.escalation
            ? (state.units[p.facts.escalation.unit]?.level ?? warning.level)
            : warning.level;
          for (const recipient of p.recipients)
            for (const c of channelsFor(rules, recipient, level, warning.exercise))
              rows.push({
                key: p.key,
                channel: c.id,
                recipient,
                type: p.facts.type,
                level,
                facts: p.facts,
                notBefore: notBefore(now, level, c.quietHours),
              });
        }
      }
      const told = planned.filter((p) => p.toldBefore);
      if (told.length > 0) {
        const { rows: channels } = await client.query<{
          channel_id: string;
          recipient: string;
          quiet_start: string | null;
          quiet_end: string | null;
        }>(
          `SELECT DISTINCT o.channel_id, o.recipient, c.quiet_start::text, c.quiet_end::text
           FROM notification_outbox o JOIN notification_channels c ON c.id = o.channel_id
           WHERE o.warning_id = $1 AND c.enabled AND o.type NOT IN ('warning.resolved', 'warning.cancelled')`,
          [warning.id],
        );
        for (const p of told)
          for (const c of channels)
            rows.push({
              key: p.key,
              channel: c.channel_id,
              recipient: c.recipient,
              type: p.facts.type,
              level: warning.level,
              facts: p.facts,
              notBefore: notBefore(now, warning.level, quietOf(c)),
            });
      }
      if (rows.length === 0) return 0;
      const expires = (at: Date) => new Date(at.getTime() + settings.lifetimeSeconds * 1000);
      const result = await client.query(
        `INSERT INTO notification_outbox (id, message_key, channel_id, recipient, warning_id, type, level, facts,
           created_at, not_before, next_attempt_at, expires_at)
         SELECT r.id, r.key, r.channel, r.recipient, $1, r.type, r.level, r.facts, $2, r.not_before, r.not_before, r.expires
         FROM unnest($3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::timestamptz[], $11::timestamptz[])
           AS r(id, key, channel, recipient, type, level, facts, not_before, expires)
         ON CONFLICT (message_key, channel_id, recipient) DO NOTHING`,
        [
          warning.id,
          now,
          rows.map(() => randomUUID()),
          rows.map((r) => r.key),
          rows.map((r) => r.channel),
          rows.map((r) => r.recipient),
          rows.map((r) => r.type),
          rows.map((r) => r.level),
          rows.map((r) => JSON.stringify(r.facts)),
          rows.map((r) => r.notBefore),
          rows.map((r) => expires(r.notBefore)),
        ],
      );
      return result.rowCount ?? 0;
    },
  };
}

export type NotificationOutbox = ReturnType<typeof createNotificationOutbox>;
