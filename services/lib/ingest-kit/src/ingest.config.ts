import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, databaseEnv, kafkaEnv, Secret } from '@liandong/config';
import { Crs } from '@liandong/contracts';

/** The configuration every ingest service reads (a service may add its own variables). */
export function ingestConfigSchema(defaults: { port: number; sourceSystem: string }) {
  return Type.Object({
    ...commonEnv,
    ...kafkaEnv,
    ...databaseEnv,
    HOST: Type.String({ default: '127.0.0.1', description: 'interface to listen on' }),
    PORT: Type.Integer({ minimum: 1, maximum: 65535, default: defaults.port }),
    KAFKA_TOPIC_PREFIX: Type.String({
      default: '',
      pattern: '^[A-Za-z0-9._-]*$',
      description: 'a prefix of topic names (letters, digits, . _ -)',
    }),
    SOURCE_SYSTEM: Type.String({ default: defaults.sourceSystem, minLength: 1 }),
    DEFAULT_CRS: { ...Crs, default: 'WGS84' },
    RATE_LIMIT_PER_MINUTE: Type.Integer({
      minimum: 1,
      default: 6000,
      description: 'requests per client address per minute, counted before authentication',
    }),
    TRUSTED_PROXIES: Type.String({
      default: '',
      pattern: '^[0-9A-Fa-f.:/, ]*$',
      description:
        'comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (none: the peer address is the client)',
    }),
    KEY_CACHE_TTL_MS: Type.Integer({ minimum: 0, default: 30_000 }),
    PRODUCE_RETRIES: Type.Integer({ minimum: 1, default: 4 }),
    KAFKA_MAX_MESSAGE_BYTES: Type.Integer({
      minimum: 64 * 1024,
      default: 1_000_000,
      description:
        'the most bytes one Kafka record may take: the broker’s message.max.bytes less its batch header; larger events are refused per record (400 record_too_large)',
    }),
    COMMITS_IN_FLIGHT: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 2,
      description: 'group commits (claim, produce, mark) under way at once',
    }),
    COMMIT_QUEUE_MAX: Type.Integer({
      minimum: 1,
      default: 1000,
      description: 'requests waiting for a group commit at most; more are answered 503 with Retry-After',
    }),
    COMMIT_WAIT_TIMEOUT_MS: Type.Integer({
      minimum: 100,
      default: 30_000,
      description: 'longest a request waits for its commit to start before a 503 with Retry-After',
    }),
    CLAIM_LEASE_MS: Type.Integer({
      minimum: 1000,
      default: 60_000,
      description:
        'how long a pending claim of a source id (its record being produced) stays its request’s; after it a resend of the same content takes the claim over and produces the record again under the same event id. Keep it above the longest produce, retries included',
    }),
    CLAIM_WAIT_MS: Type.Integer({
      minimum: 0,
      default: 5_000,
      description:
        'longest a request waits for a source id another request is producing before a 503 with Retry-After',
    }),
    FAULT_KILL_AFTER_PRODUCE: Type.Boolean({
      default: false,
      description:
        'fault injection for the fault suite, never in service: the process kills itself (SIGKILL) once Kafka acknowledged a commit, before its claims are marked published',
    }),
    NORMALIZE_THREADS: Type.Integer({
      minimum: 0,
      maximum: 16,
      default: 1,
      description: 'threads that normalize large bodies beside the event loop (0: none)',
    }),
    NORMALIZE_OFFLOAD_BYTES: Type.Integer({
      minimum: 0,
      default: 32_768,
      description: 'bodies of at least this many bytes go to a normalizing thread',
    }),
    AUDIT_HEAD_INTERVAL_MS: Type.Integer({
      minimum: 0,
      default: 60_000,
      description: 'milliseconds between publications of the audit log head on audit-head.v1 (0: none)',
    }),
    PULL_INTERVAL_MS: Type.Integer({
      minimum: 1000,
      default: 60_000,
      description: 'milliseconds between polls',
    }),
    CAP_FEED_URL: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'an http(s) URL of a CAP Atom/RSS feed' }),
    ),
    OPEN311_REQUESTS_URL: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'an http(s) URL of an Open311 requests.json' }),
    ),
    OPEN311_API_KEY: Type.Optional(Secret(Type.String({ minLength: 1 }))),
    OPEN311_JURISDICTION_ID: Type.Optional(Type.String({ minLength: 1 })),
    UPSTREAM_ALLOWED_HOSTS: Type.String({
      default: '',
      pattern: '^[A-Za-z0-9.*:, _-]*$',
      description:
        'comma-separated hosts (host, host:port or *.domain) that feed links, next links and redirects may lead to besides the source URL’s own origin',
    }),
    UPSTREAM_TIMEOUT_MS: Type.Integer({
      minimum: 1000,
      default: 30_000,
      description: 'milliseconds one upstream fetch may take, redirects and body included',
    }),
    UPSTREAM_MAX_BYTES: Type.Integer({
      minimum: 1024,
      default: 20 * 1024 * 1024,
      description: 'largest upstream answer in bytes, counted after decompression',
    }),
    SENSORTHINGS_URL: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'the http(s) service root of a SensorThings API' }),
    ),
  });
}

export type IngestConfig = Static<ReturnType<typeof ingestConfigSchema>>;
