/**
 * The hub's composition root, shared by main.ts and the tests (no wiring written twice):
 * configuration → PostgreSQL and Kafka → repositories → HTTP app, Socket.IO gateway, push tailer,
 * consumers of warnings.v1, the events topics and warning-activity.v1, the deadline scanner, the
 * activity outbox and retention.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokerList } from '@liandong/config';
import {
  DEPARTMENT_CODES,
  eventsTopic,
  NormalizedEvent,
  namespacedTopic,
  TOPICS,
  Warning,
  WarningActivity,
} from '@liandong/contracts';
import { appendAudit, createPool, pingDatabase } from '@liandong/db';
import {
  createJsonProducer,
  createKafka,
  createKafkaProbe,
  runConsumer,
  type ConsumerRunner,
} from '@liandong/kafka';
import { createKeyAdministration } from '@liandong/keys';
import type { Logger } from '@liandong/logger';
import { createUserRepository } from '@liandong/users';
import { createActivityPublisher } from './adapters/activity.publisher.ts';
import { createEventRepository } from './adapters/event.repository.ts';
import { createIdempotencyRepository } from './adapters/idempotency.repository.ts';
import { createLifecycleStore } from './adapters/lifecycle.store.ts';
import { createPushRepository, pushChannel } from './adapters/push.repository.ts';
import { createSessionRepository } from './adapters/session.repository.ts';
import { createThrottleRepository } from './adapters/throttle.repository.ts';
import { createWarningQueries } from './adapters/warning.queries.ts';
import { buildApp } from './app.ts';
import type { HubDeps } from './deps.ts';
import type { DeadlinePolicy } from './domain/lifecycle.ts';
import { handleActivity } from './handlers/activity.handler.ts';
import { handleEvent, handleEvents } from './handlers/event.handler.ts';
import { handleWarning, handleWarnings } from './handlers/warning.handler.ts';
import type { HubConfig } from './hub.config.ts';
import { createEscalationScanner } from './jobs/escalation.scanner.ts';
import { createRetentionJob } from './jobs/retention.job.ts';
import { createPushTailer } from './live/push.tailer.ts';
import { createSocketGateway } from './live/socket.gateway.ts';
import { createHubMetrics } from './metrics.ts';
import { notificationRoutes } from './notify/notification.routes.ts';
import { createNotifications } from './notify/notification.service.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface HubOptions {
  logger: Logger;
  /** The clock of deadlines and sessions (tests move it). */
  now?: () => Date;
  /** How often live sockets' sessions are re-checked. */
  sessionCheckMs?: number;
}

export async function createHub(config: HubConfig, options: HubOptions) {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const pool = createPool({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    applicationName: 'liandong-hub',
    max: 12,
  });
  const kafka = createKafka({
    brokers: brokerList(config.KAFKA_BROKERS),
    clientId: config.KAFKA_CLIENT_ID ?? 'liandong-hub',
    logger,
  });
  const producer = createJsonProducer(kafka);
  const probe = createKafkaProbe(kafka);
  const metrics = createHubMetrics();
  const topic = (name: string) => namespacedTopic(name, config.KAFKA_TOPIC_PREFIX);
  const policy: DeadlinePolicy = {
    seconds: {
      red: config.ACK_DEADLINE_RED_SECONDS,
      orange: config.ACK_DEADLINE_ORANGE_SECONDS,
      yellow: config.ACK_DEADLINE_YELLOW_SECONDS,
      blue: config.ACK_DEADLINE_BLUE_SECONDS,
    },
    escalationSteps: config.ESCALATION_STEPS,
  };
  const channel = pushChannel(config.DATABASE_SCHEMA);
  const pushes = createPushRepository(pool, channel);
  const publisher = createActivityPublisher({
    pool,
    producer,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    logger,
  });
  const notifications = createNotifications({
    pool,
    now,
    logger,
    registry: metrics.registry,
    settings: {
      consoleUrl: config.NOTIFY_CONSOLE_URL,
      concurrency: config.NOTIFY_CONCURRENCY,
      pollMs: config.NOTIFY_POLL_MS,
      retryBaseMs: config.NOTIFY_RETRY_BASE_MS,
      retryMaxMs: config.NOTIFY_RETRY_MAX_MS,
      lifetimeSeconds: config.NOTIFY_LIFETIME_SECONDS,
      timeoutMs: config.NOTIFY_TIMEOUT_MS,
      deadAfterFailures: config.NOTIFY_DEAD_AFTER_FAILURES,
      mailFrom: config.NOTIFY_MAIL_FROM,
      ...(config.NOTIFY_SMTP_URL ? { smtpUrl: config.NOTIFY_SMTP_URL } : {}),
      ...(config.NOTIFY_WEBHOOK_URL ? { webhookUrl: config.NOTIFY_WEBHOOK_URL } : {}),
      ...(config.NOTIFY_WEBHOOK_SECRET ? { webhookSecret: config.NOTIFY_WEBHOOK_SECRET } : {}),
      ...(config.NOTIFY_EMAIL_TO ? { emailTo: config.NOTIFY_EMAIL_TO } : {}),
    },
  });
  const lifecycle = createLifecycleStore({
    pool,
    pushes,
    policy,
    now,
    newId: randomUUID,
    logger,
    onActivity: () => publisher.kick(),
    observe: (command, seconds) => metrics.commandSeconds.observe({ command }, seconds),
    notifications,
  });
  const sessionPolicy = {
    idleMs: config.SESSION_IDLE_MINUTES * 60_000,
    absoluteMs: config.SESSION_ABSOLUTE_HOURS * 3600_000,
    touchEveryMs: Math.min(60_000, (config.SESSION_IDLE_MINUTES * 60_000) / 10),
  };
  const sessions = createSessionRepository(pool, sessionPolicy);
  const events = createEventRepository(pool);
  const idempotency = createIdempotencyRepository(pool);
  const blockMs = config.LOGIN_BLOCK_MINUTES * 60_000;
  // The gateway needs the app's server, the app needs to close a session's sockets: a late binding.
  const live: { gateway?: ReturnType<typeof createSocketGateway> } = {};

  const deps: HubDeps = {
    logger,
    pool,
    now,
    sessions,
    users: createUserRepository(pool),
    keys: createKeyAdministration(pool),
    throttle: createThrottleRepository(pool),
    idempotency,
    lifecycle,
    warnings: createWarningQueries(pool),
    events,
    pushes,
    metrics,
    audit: (entry) => appendAudit(pool, entry),
    checks: [
      { name: 'database', check: () => pingDatabase(pool) },
      { name: 'kafka', check: () => probe.check() },
    ],
    settings: {
      cookieSecure: config.COOKIE_SECURE,
      trustProxy: config.TRUST_PROXY,
      allowedOrigins: config.ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      idleTimeoutSeconds: config.SESSION_IDLE_MINUTES * 60,
      loginPerUser: { maxFailures: config.LOGIN_MAX_FAILURES_PER_USER, windowMs: blockMs, blockMs },
      loginPerAddress: { maxFailures: config.LOGIN_MAX_FAILURES_PER_ADDRESS, windowMs: blockMs, blockMs },
      apiRateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE,
      feedSilenceSeconds: config.FEED_SILENCE_SECONDS,
      feedWindowMinutes: config.FEED_WINDOW_MINUTES,
      consoleDir: config.CONSOLE_DIR ?? join(REPO_ROOT, 'web/dist'),
      cspTileSources: config.CSP_TILE_SOURCES.split(/\s+/).filter(Boolean),
      chromiumPath: config.REPORT_CHROMIUM_PATH,
      capIssuer: {
        code: config.CAP_ISSUER_CODE,
        name: { zh: config.CAP_SENDER_NAME_ZH, en: config.CAP_SENDER_NAME_EN },
      },
    },
    onSessionEnded: (sessionId) => live.gateway?.disconnectSession(sessionId),
  };
  const { app, routes } = await buildApp(deps);
  notificationRoutes(app, deps, notifications.channels);
  const tailer = createPushTailer({
    pushes,
    databaseUrl: config.DATABASE_URL,
    channel,
    pollMs: config.PUSH_POLL_MS,
    logger,
    emit: (audience, push) => live.gateway?.emit(audience, push),
  });
  const gateway = createSocketGateway(app.server, {
    sessions,
    pushes,
    tailer: () => tailer,
    now,
    logger,
    metrics,
    allowedOrigins: deps.settings.allowedOrigins,
    replayLimit: config.PUSH_REPLAY_LIMIT,
    ...(options.sessionCheckMs ? { sessionCheckMs: options.sessionCheckMs } : {}),
  });
  live.gateway = gateway;
  const scanner = createEscalationScanner({
    lifecycle,
    now,
    intervalMs: config.ESCALATION_SCAN_MS,
    logger,
    metrics,
  });
  const retention = createRetentionJob({
    pool,
    pushes,
    idempotency,
    now,
    logger,
    auditRetentionDays: config.AUDIT_RETENTION_DAYS,
    pushRetentionDays: config.PUSH_RETENTION_DAYS,
    archiveDir:
      config.AUDIT_ARCHIVE_DIR ?? join(config.LIANDONG_DATA_DIR ?? join(REPO_ROOT, '.data'), 'audit-archive'),
  });
  const runners: ConsumerRunner[] = [];
  const group = (name: string) => `${config.KAFKA_TOPIC_PREFIX}${config.HUB_GROUP_PREFIX}-${name}`;
  const deadLetter = { producer, topic: topic(TOPICS.deadLetters), service: 'hub' };

  return {
    app,
    routes,
    pool,
    lifecycle,
    scanner,
    retention,
    metrics,
    notifications,
    tailer,
    /** The port it listens on (after start). */
    port(): number {
      return (app.server.address() as AddressInfo).port;
    },
    async start(): Promise<void> {
      await producer.connect();
      await tailer.start();
      await app.listen({ host: config.HOST, port: config.PORT });
      runners.push(
        await runConsumer({
          kafka,
          groupId: group('warnings'),
          topics: [topic(TOPICS.warnings)],
          schema: Warning,
          handler: handleWarning({ lifecycle, metrics }),
          batchHandler: handleWarnings({ lifecycle, metrics }),
          batchSize: 100,
          deadLetter,
          logger: logger.child({ consumer: 'warnings' }),
        }),
        await runConsumer({
          kafka,
          groupId: group('activity'),
          topics: [topic(TOPICS.warningActivity)],
          schema: WarningActivity,
          handler: handleActivity({ lifecycle, metrics }),
          deadLetter,
          logger: logger.child({ consumer: 'activity' }),
        }),
        await runConsumer({
          kafka,
          groupId: group('events'),
          topics: DEPARTMENT_CODES.map((d) => topic(eventsTopic(d))),
          schema: NormalizedEvent,
          handler: handleEvent({ events, metrics }),
          batchHandler: handleEvents({ events, metrics }),
          deadLetter,
          logger: logger.child({ consumer: 'events' }),
        }),
      );
      publisher.start();
      await notifications.start();
      scanner.start();
      retention.start();
    },
    async close(): Promise<void> {
      await Promise.allSettled(runners.map((r) => r.stop()));
      await scanner.stop();
      await retention.stop();
      await publisher.stop();
      await notifications.stop();
      await tailer.stop();
      await gateway.close();
      await app.close();
      await Promise.allSettled([producer.disconnect(), probe.close()]);
      await pool.end();
    },
  };
}

export type Hub = Awaited<ReturnType<typeof createHub>>;
