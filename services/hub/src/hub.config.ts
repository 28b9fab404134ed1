import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, databaseEnv, kafkaEnv, loadConfig } from '@liandong/config';

const seconds = (fallback: number, description: string) =>
  Type.Integer({ minimum: 1, default: fallback, description });

/** The hub's configuration: the only reader of the environment. */
export const hubConfigSchema = Type.Object({
  ...commonEnv,
  ...kafkaEnv,
  ...databaseEnv,
  HOST: Type.String({ default: '127.0.0.1', description: 'interface to listen on' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  KAFKA_TOPIC_PREFIX: Type.String({
    default: '',
    pattern: '^[A-Za-z0-9._-]*$',
    description: 'a prefix of topic names (letters, digits, . _ -)',
  }),
  HUB_GROUP_PREFIX: Type.String({
    default: 'hub',
    pattern: '^[A-Za-z0-9._-]+$',
    description: 'prefix of the hub’s consumer groups (every hub instance of a site shares them)',
  }),
  ACK_DEADLINE_RED_SECONDS: seconds(300, 'seconds a unit has to acknowledge a red warning'),
  ACK_DEADLINE_ORANGE_SECONDS: seconds(600, 'seconds for an orange warning'),
  ACK_DEADLINE_YELLOW_SECONDS: seconds(1800, 'seconds for a yellow warning'),
  ACK_DEADLINE_BLUE_SECONDS: seconds(3600, 'seconds for a blue warning'),
  ESCALATION_STEPS: Type.Integer({
    minimum: 1,
    maximum: 10,
    default: 2,
    description: 'escalation steps per missed deadline (step n at deadline + (n-1) deadline periods)',
  }),
  ESCALATION_SCAN_MS: Type.Integer({
    minimum: 50,
    default: 1000,
    description: 'how often deadlines are checked',
  }),
  SESSION_IDLE_MINUTES: Type.Integer({ minimum: 1, default: 30 }),
  SESSION_ABSOLUTE_HOURS: Type.Integer({ minimum: 1, default: 12 }),
  COOKIE_SECURE: Type.Boolean({
    default: false,
    description: 'true behind TLS: cookies are sent over HTTPS only',
  }),
  TRUST_PROXY: Type.Boolean({
    default: false,
    description: 'true behind a reverse proxy: client addresses from X-Forwarded-For',
  }),
  ALLOWED_ORIGINS: Type.String({
    default: '',
    description:
      'comma-separated origins (besides the hub’s own) allowed to write with a session, e.g. https://console.example',
  }),
  LOGIN_MAX_FAILURES_PER_USER: Type.Integer({ minimum: 1, default: 5 }),
  LOGIN_MAX_FAILURES_PER_ADDRESS: Type.Integer({ minimum: 1, default: 20 }),
  LOGIN_BLOCK_MINUTES: Type.Integer({
    minimum: 1,
    default: 15,
    description: 'failure window and block time',
  }),
  API_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 1200, description: 'requests per address' }),
  PUSH_REPLAY_LIMIT: Type.Integer({
    minimum: 1,
    default: 10_000,
    description: 'a reconnecting console further behind than this many pushes is told to reload',
  }),
  PUSH_POLL_MS: Type.Integer({
    minimum: 20,
    default: 1000,
    description: 'poll of the push log besides LISTEN/NOTIFY',
  }),
  PUSH_RETENTION_DAYS: Type.Integer({ minimum: 1, default: 7 }),
  FEED_SILENCE_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
  FEED_WINDOW_MINUTES: Type.Integer({ minimum: 1, default: 5 }),
  AUDIT_RETENTION_DAYS: Type.Integer({
    minimum: 180,
    default: 365,
    description: 'audit entries older than this are archived (at least 180)',
  }),
  LIANDONG_DATA_DIR: Type.Optional(Type.String({ minLength: 1, description: 'local state; default .data/' })),
  AUDIT_ARCHIVE_DIR: Type.Optional(
    Type.String({ minLength: 1, description: 'a directory; default <data dir>/audit-archive' }),
  ),
  CONSOLE_DIR: Type.Optional(
    Type.String({ minLength: 1, description: 'the built console; default web/dist' }),
  ),
  // Notifications (notify/): see README "Notifications".
  NOTIFY_CONSOLE_URL: Type.String({
    default: 'http://127.0.0.1:8080',
    pattern: '^https?://',
    description: 'the console’s address, for the link in every notification',
  }),
  NOTIFY_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 4,
    description: 'deliveries in flight per hub',
  }),
  NOTIFY_POLL_MS: Type.Integer({
    minimum: 20,
    default: 1000,
    description: 'how often the outbox is checked for due retries',
  }),
  NOTIFY_RETRY_BASE_MS: Type.Integer({
    minimum: 10,
    default: 5000,
    description: 'first retry after this; doubling',
  }),
  NOTIFY_RETRY_MAX_MS: Type.Integer({
    minimum: 10,
    default: 300_000,
    description: 'longest wait between attempts',
  }),
  NOTIFY_LIFETIME_SECONDS: Type.Integer({
    minimum: 1,
    default: 21_600,
    description: 'a message not delivered this long after it was due is given up',
  }),
  NOTIFY_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000, description: 'one HTTP or SMTP send' }),
  NOTIFY_DEAD_AFTER_FAILURES: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'failed attempts in a row after which a channel shows as dead',
  }),
  NOTIFY_SMTP_URL: Type.Optional(
    Type.String({
      pattern: '^smtps?://',
      description: 'SMTP server for e-mail channels, e.g. smtp://127.0.0.1:2525',
    }),
  ),
  NOTIFY_MAIL_FROM: Type.String({
    default: '联动预警 <liandong@localhost>',
    description: 'From of notification e-mails',
  }),
  NOTIFY_WEBHOOK_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'a demo webhook channel for every recipient and level',
    }),
  ),
  NOTIFY_WEBHOOK_SECRET: Type.Optional(
    Type.String({ minLength: 16, description: 'its signing secret (whsec_…)' }),
  ),
  NOTIFY_EMAIL_TO: Type.Optional(
    Type.String({
      minLength: 3,
      description: 'comma-separated: a demo e-mail channel for every recipient and level',
    }),
  ),
  CAP_ISSUER_CODE: Type.String({
    default: '44060541000000',
    pattern: '^[0-9]{14}$',
    description:
      'the issuing unit’s 14-digit code (GB/T 35965.1: GB/T 2260 code and the unit’s own digits): CAP sender and identifier prefix',
  }),
  CAP_SENDER_NAME_ZH: Type.String({ minLength: 1, default: '佛山市南海区应急管理局' }),
  CAP_SENDER_NAME_EN: Type.String({
    minLength: 1,
    default: 'Nanhai District Emergency Management Bureau, Foshan',
  }),
  REPORT_CHROMIUM_PATH: Type.String({
    minLength: 1,
    default: '/usr/bin/chromium',
    description: 'the Chromium that prints report PDFs (the machine’s own; none is downloaded)',
  }),
  CSP_TILE_SOURCES: Type.String({
    default: 'https://*.tile.openstreetmap.org',
    description: 'space-separated image sources the console’s map tiles come from',
  }),
});

export type HubConfig = Static<typeof hubConfigSchema>;

export function loadHubConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  return loadConfig(hubConfigSchema, env);
}
