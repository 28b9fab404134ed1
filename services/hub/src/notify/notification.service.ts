/**
 * The notification part of the hub, composed once (hub.ts wires it): the outbox the lifecycle
 * store writes into, the senders, the dispatcher, the channel repository, and the channels the
 * hub's environment names (NOTIFY_WEBHOOK_URL, NOTIFY_EMAIL_TO: the local demo's receivers).
 */
import type { Pool, PoolClient } from '@liandong/db';
import type { Logger } from '@liandong/logger';
import type { Registry } from 'prom-client';
import type { LifecycleEvent, LifecycleState } from '../domain/lifecycle.ts';
import { createChannelRepository } from './notification.channels.ts';
import { createNotificationDispatcher } from './notification.dispatcher.ts';
import { createNotificationOutbox } from './notification.outbox.ts';
import { createSenders } from './notification.senders.ts';

export interface NotificationSettings {
  consoleUrl: string;
  concurrency: number;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  lifetimeSeconds: number;
  timeoutMs: number;
  deadAfterFailures: number;
  smtpUrl?: string;
  mailFrom: string;
  /** The local demo's channels (recipient *, every level). */
  webhookUrl?: string;
  webhookSecret?: string;
  emailTo?: string;
}

export function createNotifications(deps: {
  pool: Pool;
  now: () => Date;
  logger: Logger;
  registry: Registry;
  settings: NotificationSettings;
}) {
  const { settings } = deps;
  const logger = deps.logger.child({ part: 'notify' });
  const senders = createSenders({
    timeoutMs: settings.timeoutMs,
    mailFrom: settings.mailFrom,
    ...(settings.smtpUrl ? { smtpUrl: settings.smtpUrl } : {}),
  });
  const outbox = createNotificationOutbox({ lifetimeSeconds: settings.lifetimeSeconds });
  const channels = createChannelRepository(deps.pool, {
    smtpConfigured: senders.smtpConfigured,
    deadAfterFailures: settings.deadAfterFailures,
  });
  const dispatcher = createNotificationDispatcher({
    pool: deps.pool,
    senders,
    now: deps.now,
    logger,
    registry: deps.registry,
    settings,
  });

  return {
    channels,
    dispatcher,
    /** Called by the lifecycle store inside a command's transaction. */
    enqueue(
      client: PoolClient,
      before: LifecycleState | undefined,
      events: readonly LifecycleEvent[],
      state: LifecycleState,
    ) {
      return outbox.enqueue(client, before, events, state, deps.now());
    },
    /** Called after a commit that wrote outbox rows. */
    kick: () => dispatcher.kick(),
    async start(): Promise<void> {
      if (settings.webhookUrl && !settings.webhookSecret)
        logger.warn(
          'NOTIFY_WEBHOOK_URL is set without NOTIFY_WEBHOOK_SECRET: the demo webhook is sent unsigned',
        );
      await channels.ensureFromEnvironment(
        'env:webhook',
        settings.webhookUrl
          ? { kind: 'webhook', target: { url: settings.webhookUrl }, secret: settings.webhookSecret ?? null }
          : null,
      );
      const to = (settings.emailTo ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (to.length > 0 && !senders.smtpConfigured)
        logger.warn('NOTIFY_EMAIL_TO is set without NOTIFY_SMTP_URL: e-mails will fail');
      await channels.ensureFromEnvironment(
        'env:email',
        to.length > 0 ? { kind: 'email', target: { to }, secret: null } : null,
      );
      dispatcher.start();
    },
    async stop(): Promise<void> {
      await dispatcher.stop();
      senders.close();
    },
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
