/**
 * Delivers the outbox. Every hub runs it: a worker claims one due row with FOR UPDATE SKIP LOCKED
 * and keeps it locked while it sends, so two hubs never send the same row; the attempt, the row's
 * new state and the audit entry commit together. A hub that dies between the send and the commit
 * sends that row again later (at least once): receivers dedupe by `webhook-id`, which is the row's
 * id on every attempt.
 */
import { appendAuditWith, type Pool } from '@liandong/db';
import type { Logger } from '@liandong/logger';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { NotificationLanguage } from '@liandong/contracts';
import { backoffMs, type MessageFacts } from './notification.plan.ts';
import { renderMessage } from './notification.render.ts';
import type { ChannelRow, SendResult, Senders } from './notification.senders.ts';

export interface DispatcherSettings {
  concurrency: number;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  consoleUrl: string;
}

interface ClaimedRow {
  id: string;
  message_key: string;
  channel_id: string;
  recipient: string;
  warning_id: string;
  type: string;
  facts: MessageFacts;
  created_at: Date;
  expires_at: Date;
  attempts: number;
  kind: ChannelRow['kind'];
  language: NotificationLanguage;
  target: Record<string, unknown>;
  secret: string | null;
  enabled: boolean;
}

const SYSTEM = { actor: 'hub', actorRole: 'system' } as const;

export function createNotificationDispatcher(deps: {
  pool: Pool;
  senders: Senders;
  now: () => Date;
  settings: DispatcherSettings;
  logger: Logger;
  registry: Registry;
}) {
  const { pool, settings } = deps;
  const attempts = new Counter({
    name: 'hub_notification_attempts_total',
    help: 'Notification delivery attempts, by channel kind and outcome (delivered, retry, failed)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [deps.registry],
  });
  const latency = new Histogram({
    name: 'hub_notification_send_seconds',
    help: 'Time one send took (HTTP POST or SMTP), by channel kind',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [deps.registry],
  });
  let active = 0;
  let wanted = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loops = new Set<Promise<void>>();

  /** Claims, sends and records one due row; false when none was due. */
  async function deliverOne(): Promise<boolean> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const now = deps.now();
      const { rows } = await client.query<ClaimedRow>(
        `SELECT o.id, o.message_key, o.channel_id, o.recipient, o.warning_id, o.type, o.facts, o.created_at,
                o.expires_at, o.attempts, c.kind, c.language, c.target, c.secret, c.enabled
         FROM notification_outbox o JOIN notification_channels c ON c.id = o.channel_id
         WHERE o.state = 'pending' AND o.next_attempt_at <= $1
         ORDER BY o.next_attempt_at LIMIT 1 FOR UPDATE OF o SKIP LOCKED`,
        [now],
      );
      const row = rows[0];
      if (!row) {
        await client.query('COMMIT');
        return false;
      }
      const attempt = row.attempts + 1;
      const started = performance.now();
      let result: SendResult;
      if (!row.enabled) result = { ok: false, retriable: false, detail: 'the channel was disabled' };
      else if (now.getTime() >= row.expires_at.getTime())
        result = { ok: false, retriable: false, detail: 'its lifetime ended before it could be sent' };
      else {
        const message = renderMessage(row.facts, {
          id: row.id,
          messageKey: row.message_key,
          recipient: row.recipient,
          language: row.language,
          createdAt: row.created_at.toISOString(),
          attempt,
          now,
          consoleUrl: settings.consoleUrl,
        });
        result = await deps.senders.send(row, message, now);
      }
      const durationMs = Math.round(performance.now() - started);
      latency.observe({ kind: row.kind }, durationMs / 1000);
      const after = deps.now();
      const next = result.ok
        ? null
        : new Date(after.getTime() + backoffMs(attempt, settings.retryBaseMs, settings.retryMaxMs));
      const outcome = result.ok
        ? 'delivered'
        : !result.retriable || !next || next >= row.expires_at
          ? 'failed'
          : 'retry';
      attempts.inc({ kind: row.kind, outcome });
      await client.query(
        `UPDATE notification_outbox SET attempts = $2, state = $3, delivered_at = $4, next_attempt_at = COALESCE($5, next_attempt_at), last_error = $6
         WHERE id = $1`,
        [
          row.id,
          attempt,
          outcome === 'retry' ? 'pending' : outcome,
          result.ok ? after : null,
          outcome === 'retry' ? next : null,
          result.ok ? null : result.detail,
        ],
      );
      await client.query(
        `INSERT INTO notification_attempts (outbox_id, attempt, channel_id, warning_id, at, outcome, detail, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          row.id,
          attempt,
          row.channel_id,
          row.warning_id,
          after,
          outcome,
          result.detail.slice(0, 500),
          durationMs,
        ],
      );
      await appendAuditWith(client, {
        ...SYSTEM,
        action:
          outcome === 'delivered'
            ? 'notification.delivered'
            : outcome === 'retry'
              ? 'notification.attempt_failed'
              : 'notification.failed',
        target: row.warning_id,
        outcome: result.ok ? 'ok' : 'failed',
        detail: {
          delivery: row.id,
          message: row.message_key,
          type: row.type,
          recipient: row.recipient,
          channel: row.channel_id,
          kind: row.kind,
          attempt,
          result: result.detail.slice(0, 300),
          ...(outcome === 'retry' && next ? { nextAttemptAt: next.toISOString() } : {}),
        },
      });
      await client.query('COMMIT');
      if (outcome !== 'delivered')
        deps.logger.warn(
          {
            delivery: row.id,
            channel: row.channel_id,
            kind: row.kind,
            attempt,
            outcome,
            detail: result.detail,
          },
          'notification not delivered',
        );
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      wanted = false;
      let delivered: boolean;
      try {
        delivered = await deliverOne();
      } catch (error) {
        deps.logger.warn({ err: error }, 'notification dispatch failed; trying again on the next pass');
        return;
      }
      // A kick that came while this worker found nothing means a row may have just committed.
      if (!delivered && !wanted) return;
    }
  }

  const dispatcher = {
    deliverOne,
    /** Starts workers up to the concurrency (after a commit that wrote outbox rows, and on a timer). */
    kick(): void {
      if (stopped) return;
      wanted = true;
      while (active < settings.concurrency) {
        active++;
        const p: Promise<void> = loop().finally(() => {
          active--;
          loops.delete(p);
        });
        loops.add(p);
      }
    },
    start(): void {
      stopped = false;
      timer = setInterval(() => dispatcher.kick(), settings.pollMs);
      timer.unref();
      dispatcher.kick();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...loops]);
    },
  };
  return dispatcher;
}

export type NotificationDispatcher = ReturnType<typeof createNotificationDispatcher>;
