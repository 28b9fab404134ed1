/**
 * Channels as data: created, changed and disabled by admins (every change audited in the same
 * transaction, secrets never returned nor audited), the channels' health, and a warning's
 * delivery record.
 */
import type {
  ChannelHealth,
  ChannelTarget,
  CreateChannelRequest,
  NotificationChannel,
  NotificationDelivery,
  UpdateChannelRequest,
} from '@liandong/contracts';
import { appendAuditWith, toDatabaseError, type Pool, type PoolClient } from '@liandong/db';
import { AppError } from '@liandong/errors';
import { generateSecret } from './notification.signing.ts';

interface ChannelDbRow {
  id: string;
  kind: NotificationChannel['kind'];
  recipient: string;
  label: string;
  levels: NotificationChannel['levels'];
  language: NotificationChannel['language'];
  quiet_start: string | null;
  quiet_end: string | null;
  exercises: boolean;
  enabled: boolean;
  target: Record<string, unknown>;
  secret: string | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
}

const COLUMNS = `id, kind, recipient, label, levels, language, quiet_start::text, quiet_end::text, exercises, enabled,
  target, secret, created_at, created_by, updated_at`;

function toChannel(r: ChannelDbRow): NotificationChannel {
  return {
    id: r.id,
    kind: r.kind,
    recipient: r.recipient,
    label: r.label,
    levels: r.levels,
    language: r.language,
    quietHours:
      r.quiet_start && r.quiet_end
        ? { start: r.quiet_start.slice(0, 5), end: r.quiet_end.slice(0, 5) }
        : null,
    exercises: r.exercises,
    enabled: r.enabled,
    target: r.target,
    secretSet: r.secret !== null,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    updatedAt: r.updated_at.toISOString(),
  };
}

/** The kinds that sign take a secret; without one the generic webhook and SMS get a generated one. */
function split(target: ChannelTarget): {
  target: Record<string, unknown>;
  secret: string | null;
  generated: boolean;
} {
  const { secret, ...rest } = target as ChannelTarget & { secret?: string };
  if (secret) return { target: rest, secret, generated: false };
  if (target.kind === 'webhook' || target.kind === 'sms')
    return { target: rest, secret: generateSecret(), generated: true };
  return { target: rest, secret: null, generated: false };
}

export interface Actor {
  username: string;
  role: string;
  ip?: string;
}

export interface ChannelSettings {
  smtpConfigured: boolean;
  deadAfterFailures: number;
}

export function createChannelRepository(pool: Pool, settings: ChannelSettings) {
  async function inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect().catch((e: unknown) => {
      throw toDatabaseError(e);
    });
    try {
      await client.query('BEGIN');
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof AppError) throw error;
      throw toDatabaseError(error);
    } finally {
      client.release();
    }
  }

  function checkTarget(target: ChannelTarget | undefined) {
    if (target?.kind === 'email' && !settings.smtpConfigured)
      throw new AppError(
        'validation_failed',
        'e-mail channels need the hub’s SMTP server: set NOTIFY_SMTP_URL',
        {
          errors: [
            {
              pointer: '/target/kind',
              code: 'invalid_field',
              message: 'no SMTP server configured (NOTIFY_SMTP_URL)',
            },
          ],
        },
      );
  }

  function checkQuiet(quiet: { start: string; end: string } | null | undefined) {
    if (quiet && quiet.start === quiet.end)
      throw new AppError('validation_failed', 'quiet hours start and end at the same time', {
        errors: [{ pointer: '/quietHours/end', code: 'invalid_field', message: 'must differ from start' }],
      });
  }

  const audited = (
    client: PoolClient,
    actor: Actor,
    action: string,
    id: string,
    detail: Record<string, unknown>,
  ) =>
    appendAuditWith(client, {
      actor: actor.username,
      actorRole: actor.role,
      action,
      target: id,
      outcome: 'ok',
      detail,
      ...(actor.ip ? { ip: actor.ip } : {}),
    });

  return {
    async list(): Promise<NotificationChannel[]> {
      const { rows } = await pool.query<ChannelDbRow>(
        `SELECT ${COLUMNS} FROM notification_channels ORDER BY created_at, id`,
      );
      return rows.map(toChannel);
    },

    async create(
      request: CreateChannelRequest,
      actor: Actor,
    ): Promise<{ channel: NotificationChannel; secret: string | null }> {
      checkTarget(request.target);
      checkQuiet(request.quietHours);
      const { target, secret, generated } = split(request.target);
      return inTransaction(async (client) => {
        const { rows } = await client.query<ChannelDbRow>(
          `INSERT INTO notification_channels (kind, recipient, label, levels, language, quiet_start, quiet_end, exercises, enabled, target, secret, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
          [
            request.target.kind,
            request.recipient,
            request.label ?? '',
            [...new Set(request.levels)],
            request.language ?? 'zh',
            request.quietHours?.start ?? null,
            request.quietHours?.end ?? null,
            request.exercises ?? true,
            request.enabled ?? true,
            target,
            secret,
            actor.username,
          ],
        );
        const channel = toChannel(rows[0] as ChannelDbRow);
        const { target: _t, ...summary } = channel;
        await audited(client, actor, 'notification_channel.created', channel.id, {
          ...summary,
          target: target,
        });
        return { channel, secret: generated ? secret : null };
      });
    },

    async update(id: string, request: UpdateChannelRequest, actor: Actor): Promise<NotificationChannel> {
      checkTarget(request.target);
      checkQuiet(request.quietHours);
      return inTransaction(async (client) => {
        const { rows: found } = await client.query<ChannelDbRow>(
          `SELECT ${COLUMNS} FROM notification_channels WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const current = found[0];
        if (!current) throw new AppError('not_found', `no notification channel ${id}`);
        if (request.target && request.target.kind !== current.kind)
          throw new AppError(
            'validation_failed',
            `channel ${id} is a ${current.kind} channel; create a new one for ${request.target.kind}`,
            {
              errors: [
                { pointer: '/target/kind', code: 'invalid_field', message: `must stay ${current.kind}` },
              ],
            },
          );
        const next = request.target ? split(request.target) : undefined;
        // A changed target keeps the stored secret unless a new one is given.
        const secret =
          request.target && (request.target as { secret?: string }).secret ? next?.secret : current.secret;
        const quiet =
          request.quietHours === undefined
            ? current.quiet_start
              ? { start: current.quiet_start, end: current.quiet_end }
              : null
            : request.quietHours;
        const { rows } = await client.query<ChannelDbRow>(
          `UPDATE notification_channels SET recipient = $2, label = $3, levels = $4, language = $5, quiet_start = $6, quiet_end = $7,
             exercises = $8, enabled = $9, target = $10, secret = $11, updated_at = now()
           WHERE id = $1 RETURNING ${COLUMNS}`,
          [
            id,
            request.recipient ?? current.recipient,
            request.label ?? current.label,
            request.levels ? [...new Set(request.levels)] : current.levels,
            request.language ?? current.language,
            quiet?.start ?? null,
            quiet?.end ?? null,
            request.exercises ?? current.exercises,
            request.enabled ?? current.enabled,
            next?.target ?? current.target,
            secret ?? null,
          ],
        );
        const { target: _t, ...changes } = request;
        await audited(client, actor, 'notification_channel.updated', id, {
          ...changes,
          ...(next ? { target: next.target, secretChanged: secret !== current.secret } : {}),
        });
        return toChannel(rows[0] as ChannelDbRow);
      });
    },

    /** Disables a channel (kept: the delivery record refers to it). */
    async disable(id: string, actor: Actor): Promise<boolean> {
      return inTransaction(async (client) => {
        const { rowCount } = await client.query(
          'UPDATE notification_channels SET enabled = false, updated_at = now() WHERE id = $1 AND enabled',
          [id],
        );
        if (!rowCount) return false;
        await audited(client, actor, 'notification_channel.disabled', id, {});
        return true;
      });
    },

    /**
     * The channel the hub's environment names (NOTIFY_WEBHOOK_URL, NOTIFY_EMAIL_TO): created or
     * brought up to date at start, disabled when the variable is gone; audited when it changes.
     */
    async ensureFromEnvironment(
      source: string,
      wanted: {
        target: Record<string, unknown>;
        kind: NotificationChannel['kind'];
        secret: string | null;
      } | null,
    ): Promise<void> {
      await inTransaction(async (client) => {
        if (!wanted) {
          const { rowCount } = await client.query(
            'UPDATE notification_channels SET enabled = false, updated_at = now() WHERE source = $1 AND enabled',
            [source],
          );
          if (rowCount)
            await audited(
              client,
              { username: 'hub', role: 'system' },
              'notification_channel.disabled',
              source,
              { source },
            );
          return;
        }
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO notification_channels (kind, recipient, label, levels, target, secret, source, created_by)
           VALUES ($1, '*', $2, ARRAY['blue', 'yellow', 'orange', 'red'], $3, $4, $2, 'hub')
           ON CONFLICT (source) DO UPDATE SET target = EXCLUDED.target, secret = EXCLUDED.secret, enabled = true, updated_at = now()
             WHERE notification_channels.target IS DISTINCT FROM EXCLUDED.target
                OR notification_channels.secret IS DISTINCT FROM EXCLUDED.secret
                OR NOT notification_channels.enabled
           RETURNING id`,
          [wanted.kind, source, wanted.target, wanted.secret],
        );
        if (rows[0])
          await audited(
            client,
            { username: 'hub', role: 'system' },
            'notification_channel.configured',
            rows[0].id,
            { source, kind: wanted.kind, target: wanted.target },
          );
      });
    },

    /** Each channel's health: the last delivery and failure, failures since, backlog, give-ups. */
    async health(now: Date): Promise<ChannelHealth[]> {
      const { rows } = await pool.query<{
        id: string;
        kind: ChannelHealth['kind'];
        recipient: string;
        label: string;
        enabled: boolean;
        last_delivered_at: Date | null;
        last_failed_at: Date | null;
        last_error: string | null;
        failures: number;
        given_up_since_delivery: number;
        pending: number;
        oldest_pending: Date | null;
        given_up: number;
      }>(
        `WITH last_ok AS (
           SELECT channel_id, max(at) AS at FROM notification_attempts WHERE outcome = 'delivered' GROUP BY channel_id)
         SELECT c.id, c.kind, c.recipient, c.label, c.enabled, l.at AS last_delivered_at,
           (SELECT max(at) FROM notification_attempts a WHERE a.channel_id = c.id AND a.outcome <> 'delivered') AS last_failed_at,
           (SELECT detail FROM notification_attempts a WHERE a.channel_id = c.id AND a.outcome <> 'delivered' ORDER BY at DESC LIMIT 1) AS last_error,
           (SELECT count(*)::int FROM notification_attempts a WHERE a.channel_id = c.id AND a.outcome <> 'delivered'
              AND (l.at IS NULL OR a.at > l.at)) AS failures,
           (SELECT count(*)::int FROM notification_attempts a WHERE a.channel_id = c.id AND a.outcome = 'failed'
              AND (l.at IS NULL OR a.at > l.at)) AS given_up_since_delivery,
           (SELECT count(*)::int FROM notification_outbox o WHERE o.channel_id = c.id AND o.state = 'pending') AS pending,
           (SELECT min(created_at) FROM notification_outbox o WHERE o.channel_id = c.id AND o.state = 'pending') AS oldest_pending,
           (SELECT count(*)::int FROM notification_attempts a WHERE a.channel_id = c.id AND a.outcome = 'failed'
              AND a.at > $1::timestamptz - interval '24 hours') AS given_up
         FROM notification_channels c LEFT JOIN last_ok l ON l.channel_id = c.id
         ORDER BY c.created_at, c.id`,
        [now],
      );
      return rows.map((r) => {
        const state: ChannelHealth['state'] = !r.enabled
          ? 'disabled'
          : r.given_up_since_delivery > 0 || r.failures >= settings.deadAfterFailures
            ? 'dead'
            : r.failures > 0
              ? 'failing'
              : r.last_delivered_at
                ? 'ok'
                : 'idle';
        return {
          id: r.id,
          kind: r.kind,
          recipient: r.recipient,
          label: r.label,
          state,
          lastDeliveredAt: r.last_delivered_at?.toISOString() ?? null,
          lastFailedAt: r.last_failed_at?.toISOString() ?? null,
          lastError: r.last_error,
          failuresSinceDelivery: r.failures,
          pending: r.pending,
          oldestPendingSeconds: r.oldest_pending
            ? Math.max(0, Math.round((now.getTime() - r.oldest_pending.getTime()) / 1000))
            : null,
          givenUp: r.given_up,
        };
      });
    },

    /** A warning's deliveries with their attempts, oldest first. */
    async deliveries(warningId: string): Promise<NotificationDelivery[]> {
      const { rows } = await pool.query<{
        id: string;
        message_key: string;
        type: NotificationDelivery['type'];
        recipient: string;
        channel_id: string;
        kind: NotificationDelivery['kind'];
        state: NotificationDelivery['state'];
        created_at: Date;
        not_before: Date;
        delivered_at: Date | null;
        attempts: {
          attempt: number;
          at: string;
          outcome: 'delivered' | 'retry' | 'failed';
          detail: string;
          duration_ms: number;
        }[];
      }>(
        `SELECT o.id, o.message_key, o.type, o.recipient, o.channel_id, c.kind, o.state, o.created_at, o.not_before, o.delivered_at,
           COALESCE((SELECT json_agg(a ORDER BY a.attempt) FROM notification_attempts a WHERE a.outbox_id = o.id), '[]') AS attempts
         FROM notification_outbox o JOIN notification_channels c ON c.id = o.channel_id
         WHERE o.warning_id = $1 ORDER BY o.created_at, o.message_key, o.recipient, o.id`,
        [warningId],
      );
      return rows.map((r) => ({
        id: r.id,
        messageKey: r.message_key,
        type: r.type,
        recipient: r.recipient,
        channelId: r.channel_id,
        kind: r.kind,
        state: r.state,
        createdAt: r.created_at.toISOString(),
        notBefore: r.not_before.toISOString(),
        deliveredAt: r.delivered_at?.toISOString() ?? null,
        attempts: r.attempts.map((a) => ({
          attempt: a.attempt,
          at: new Date(a.at).toISOString(),
          outcome: a.outcome,
          detail: a.detail,
          durationMs: a.duration_ms,
        })),
      }));
    },
  };
}

export type ChannelRepository = ReturnType<typeof createChannelRepository>;
