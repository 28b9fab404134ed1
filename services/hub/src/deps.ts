/** What the HTTP app and its routes are given (built in hub.ts, faked in no test: the real ones). */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuditEntryInput, Pool } from '@liandong/db';
import type { Logger } from '@liandong/logger';
import type { UserRepository } from '@liandong/users';
import type { KeyAdministration } from '@liandong/keys';
import type { CapIssuer } from '@liandong/cap-publish';
import type { EventRepository } from './adapters/event.repository.ts';
import type { IdempotencyRepository } from './adapters/idempotency.repository.ts';
import type { LifecycleStore } from './adapters/lifecycle.store.ts';
import type { SessionRepository } from './adapters/session.repository.ts';
import type { ThrottleRepository } from './adapters/throttle.repository.ts';
import type { WarningQueries } from './adapters/warning.queries.ts';
import type { PushRepository } from './adapters/push.repository.ts';
import type { HubMetrics } from './metrics.ts';
import type { ThrottlePolicy } from './domain/throttle.ts';

export type HubServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface HealthCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface HubDeps {
  logger: Logger;
  pool: Pool;
  now: () => Date;
  sessions: SessionRepository;
  users: UserRepository;
  keys: KeyAdministration;
  throttle: ThrottleRepository;
  idempotency: IdempotencyRepository;
  lifecycle: LifecycleStore;
  warnings: WarningQueries;
  events: EventRepository;
  pushes: PushRepository;
  metrics: HubMetrics;
  audit(entry: AuditEntryInput): Promise<unknown>;
  checks: HealthCheck[];
  settings: {
    cookieSecure: boolean;
    trustProxy: boolean;
    allowedOrigins: string[];
    idleTimeoutSeconds: number;
    loginPerUser: ThrottlePolicy;
    loginPerAddress: ThrottlePolicy;
    apiRateLimitPerMinute: number;
    feedSilenceSeconds: number;
    feedWindowMinutes: number;
    consoleDir?: string;
    cspTileSources: string[];
    /** The issuing unit of the CAP messages (CAP out). */
    capIssuer: CapIssuer;
    /** The Chromium that prints report PDFs. */
    chromiumPath: string;
  };
  /** Live sockets of a session are closed when it ends (logout, ended by its user). */
  onSessionEnded?: (sessionId: string) => void;
}
