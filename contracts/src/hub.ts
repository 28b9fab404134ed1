/**
 * The hub's HTTP bodies (REST under /api/v1): people and sessions, warnings as the API returns
 * them with their acknowledgement matrix, events for the map, feed health, escalations, audit,
 * department keys. The console and outside scripts rely on these shapes.
 */
import { Type, type Static } from '@sinclair/typebox';
import { EventStatus, Level, Nullable, Severity, Timestamp } from './common.ts';
import { Actor, Disposition, WarningActivity } from './activity.ts';
import { Department, Unit } from './departments.ts';
import { NormalizedEvent } from './event.ts';
import { Warning } from './warning.ts';

/** Roles of people: operator 值班员 (everything), liaison 联络员 (one unit), analyst 分析员 (read-only), admin 管理员. */
export const ROLES = ['operator', 'liaison', 'analyst', 'admin'] as const;
export const Role = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  {
    description:
      'operator: sees and acts on everything; liaison: bound to one unit, sees and acknowledges what is routed to it; analyst: read-only, reports and audit; admin: users, keys, audit',
  },
);
export type Role = (typeof ROLES)[number];

const Username = Type.String({
  minLength: 2,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9._-]*$',
  description: 'lower-case letters, digits, dot, underscore, hyphen',
});

export const User = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    username: Username,
    displayName: Type.String({ maxLength: 100 }),
    role: Role,
    department: Nullable(Unit, { description: 'The unit of a liaison; null for every other role' }),
    disabled: Type.Boolean(),
    createdAt: Timestamp,
    lastLoginAt: Nullable(Timestamp),
  },
  { $id: 'User', additionalProperties: false },
);
export type User = Static<typeof User>;

export const UserList = Type.Object(
  { users: Type.Array(User) },
  { $id: 'UserList', additionalProperties: false },
);
export type UserList = Static<typeof UserList>;

export const Password = Type.String({
  minLength: 12,
  maxLength: 256,
  description: 'at least 12 characters',
});

export const CreateUserRequest = Type.Object(
  {
    username: Username,
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
    role: Role,
    department: Type.Optional(Unit),
    password: Type.Optional(Password),
  },
  {
    $id: 'CreateUserRequest',
    additionalProperties: false,
    description:
      'A liaison needs `department`; the other roles must not have one. Without `password` one is generated and returned once.',
  },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;

export const UpdateUserRequest = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
    disabled: Type.Optional(Type.Boolean({ description: 'true ends every session of the user' })),
  },
  { $id: 'UpdateUserRequest', additionalProperties: false, minProperties: 1 },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

/** The reply to creating a user or resetting a password: the password is shown once and never stored in clear. */
export const UserWithPassword = Type.Object(
  { user: User, password: Type.Optional(Type.String({ description: 'Generated; shown once' })) },
  { $id: 'UserWithPassword', additionalProperties: false },
);
export type UserWithPassword = Static<typeof UserWithPassword>;

export const LoginRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { $id: 'LoginRequest', additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const ChangePasswordRequest = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password },
  { $id: 'ChangePasswordRequest', additionalProperties: false },
);
export type ChangePasswordRequest = Static<typeof ChangePasswordRequest>;

/**
 * Who is signed in, with the CSRF token every cookie-authenticated write must send back as
 * `X-CSRF-Token` (the reply to login, and `GET /api/v1/auth/session`).
 */
export const AuthSession = Type.Object(
  {
    user: User,
    sessionId: Type.String({ description: 'Public id of this session (not the cookie)' }),
    csrfToken: Type.String({ minLength: 16 }),
    expiresAt: Timestamp,
    idleTimeoutSeconds: Type.Integer({ minimum: 1 }),
  },
  { $id: 'AuthSession', additionalProperties: false },
);
export type AuthSession = Static<typeof AuthSession>;

export const SessionSummary = Type.Object(
  {
    id: Type.String(),
    createdAt: Timestamp,
    lastSeenAt: Timestamp,
    expiresAt: Timestamp,
    ip: Type.String(),
    userAgent: Type.String(),
    current: Type.Boolean({ description: 'The session this request came with' }),
  },
  { $id: 'SessionSummary', additionalProperties: false },
);
export type SessionSummary = Static<typeof SessionSummary>;

export const SessionList = Type.Object(
  { sessions: Type.Array(SessionSummary) },
  { $id: 'SessionList', additionalProperties: false },
);
export type SessionList = Static<typeof SessionList>;

export const AcknowledgeRequest = Type.Object(
  {
    department: Type.Optional(Unit),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  {
    $id: 'AcknowledgeRequest',
    additionalProperties: false,
    description:
      'department: the routed unit acknowledging; a liaison may omit it (its own unit), an operator acknowledging on a unit’s behalf names it',
  },
);
export type AcknowledgeRequest = Static<typeof AcknowledgeRequest>;

export const ResolveRequest = Type.Object(
  { disposition: Disposition, note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { $id: 'ResolveRequest', additionalProperties: false },
);
export type ResolveRequest = Static<typeof ResolveRequest>;

export const ACK_STATES = ['pending', 'acknowledged', 'closed'] as const;
export const AckState = Type.Union(
  ACK_STATES.map((s) => Type.Literal(s)),
  {
    description:
      'pending: waiting for the unit against its deadline; acknowledged; closed: no longer expected (warning cancelled or resolved, unit no longer routed)',
  },
);
export type AckState = (typeof ACK_STATES)[number];

/** One row of a warning's acknowledgement matrix: a routed unit against its deadline. */
export const Acknowledgement = Type.Object(
  {
    department: Unit,
    state: AckState,
    level: Level,
    revision: Type.Integer({ minimum: 1, description: 'The revision that armed this deadline' }),
    armedAt: Timestamp,
    deadline: Timestamp,
    acknowledgedAt: Nullable(Timestamp),
    acknowledgedBy: Nullable(Actor),
    late: Nullable(Type.Boolean()),
    note: Nullable(Type.String()),
    escalations: Type.Integer({ minimum: 0, description: 'Escalation steps taken since it was armed' }),
    closedReason: Nullable(Type.String()),
  },
  { $id: 'Acknowledgement', additionalProperties: false },
);
export type Acknowledgement = Static<typeof Acknowledgement>;

export const Resolution = Type.Object(
  { disposition: Disposition, note: Nullable(Type.String()), by: Actor, at: Timestamp },
  { $id: 'Resolution', additionalProperties: false },
);
export type Resolution = Static<typeof Resolution>;

/**
 * A warning as the API returns it: the latest revision (its `status` is the hub's: a warning an
 * operator resolved is `resolved`), with the acknowledgement matrix and the resolution.
 */
export const WarningView = Type.Object(
  {
    ...Warning.properties,
    acknowledgements: Type.Array(Acknowledgement),
    resolution: Nullable(Resolution),
  },
  { $id: 'WarningView', additionalProperties: false },
);
export type WarningView = Static<typeof WarningView>;

export const WarningPage = Type.Object(
  {
    items: Type.Array(WarningView),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page' })),
  },
  { $id: 'WarningPage', additionalProperties: false },
);
export type WarningPage = Static<typeof WarningPage>;

/** A normalized event as the API returns it (the raw record stays on Kafka). */
export const EventView = Type.Omit(NormalizedEvent, ['raw'], {
  $id: 'EventView',
  additionalProperties: false,
});
export type EventView = Static<typeof EventView>;

export const EventPage = Type.Object(
  { items: Type.Array(EventView), nextCursor: Nullable(Type.String()) },
  { $id: 'EventPage', additionalProperties: false },
);
export type EventPage = Static<typeof EventPage>;

/**
 * An event as a point on the map (`GET /api/v1/events/points`): what the console draws, colours
 * and filters by, a fraction of the full record (`GET /api/v1/events/{id}`), so that a day of a
 * district's events loads in one request.
 */
export const EventPoint = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    department: Department,
    type: Type.String(),
    status: EventStatus,
    severity: Severity,
    occurredAt: Timestamp,
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'WGS-84' }),
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'WGS-84' }),
  },
  { $id: 'EventPoint', additionalProperties: false },
);
export type EventPoint = Static<typeof EventPoint>;

export const EventPointPage = Type.Object(
  { items: Type.Array(EventPoint), nextCursor: Nullable(Type.String()) },
  { $id: 'EventPointPage', additionalProperties: false },
);
export type EventPointPage = Static<typeof EventPointPage>;

export const Escalation = Type.Object(
  {
    warningId: Type.String(),
    department: Unit,
    step: Type.Integer({ minimum: 1 }),
    level: Level,
    deadline: Timestamp,
    escalatedAt: Timestamp,
    notified: Type.Array(Type.String()),
    exercise: Type.Boolean(),
  },
  { $id: 'Escalation', additionalProperties: false },
);
export type Escalation = Static<typeof Escalation>;

export const EscalationPage = Type.Object(
  { items: Type.Array(Escalation), nextCursor: Nullable(Type.String()) },
  { $id: 'EscalationPage', additionalProperties: false },
);
export type EscalationPage = Static<typeof EscalationPage>;

/** A warning with everything behind it: every revision, its evidence, escalations, the timeline. */
export const WarningDetail = Type.Object(
  {
    warning: WarningView,
    revisions: Type.Array(Warning, { description: 'Every revision received, oldest first' }),
    evidenceEvents: Type.Array(EventView, { description: 'The evidence events the hub has seen' }),
    escalations: Type.Array(Escalation),
    activity: Type.Array(WarningActivity, {
      description: 'Acknowledgements, escalations, resolution, in order',
    }),
  },
  { $id: 'WarningDetail', additionalProperties: false },
);
export type WarningDetail = Static<typeof WarningDetail>;

export const FeedHealth = Type.Object(
  {
    department: Department,
    lastReceivedAt: Nullable(Timestamp, { description: 'When the hub last received an event of this feed' }),
    lastOccurredAt: Nullable(Timestamp),
    eventsPerMinute: Type.Number({ minimum: 0, description: 'Average over the window' }),
    windowMinutes: Type.Integer({ minimum: 1 }),
    silentSeconds: Nullable(Type.Integer({ minimum: 0 }), {
      description: 'Seconds since the last event; null when none was ever received',
    }),
    silent: Type.Boolean({ description: 'No event for longer than the silence threshold' }),
  },
  { $id: 'FeedHealth', additionalProperties: false },
);
export type FeedHealth = Static<typeof FeedHealth>;

export const FeedHealthList = Type.Object(
  { at: Timestamp, silenceThresholdSeconds: Type.Integer({ minimum: 1 }), feeds: Type.Array(FeedHealth) },
  { $id: 'FeedHealthList', additionalProperties: false },
);
export type FeedHealthList = Static<typeof FeedHealthList>;

export const AuditOutcome = Type.Union([Type.Literal('ok'), Type.Literal('refused'), Type.Literal('failed')]);

export const AuditEntry = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    at: Timestamp,
    actor: Type.String(),
    actorRole: Type.String(),
    action: Type.String({
      description: 'What happened, e.g. warning.acknowledged, auth.login, access.refused',
    }),
    target: Type.String(),
    outcome: AuditOutcome,
    detail: Type.Record(Type.String(), Type.Unknown()),
    ip: Type.String(),
    prevHash: Type.String({ description: 'SHA-256 (hex) of the previous entry' }),
    hash: Type.String({ description: 'SHA-256 (hex) over the previous hash and this entry' }),
  },
  { $id: 'AuditEntry', additionalProperties: false },
);
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditPage = Type.Object(
  { items: Type.Array(AuditEntry), nextCursor: Nullable(Type.String()) },
  { $id: 'AuditPage', additionalProperties: false },
);
export type AuditPage = Static<typeof AuditPage>;

/** The answer of `GET /api/v1/audit/verify`: intact, or the first entry that breaks the chain. */
export const AuditVerification = Type.Object(
  {
    ok: Type.Boolean(),
    entries: Type.Integer({ minimum: 0, description: 'Entries verified before the end or the break' }),
    firstSeq: Type.Integer({
      minimum: 0,
      description: 'Where verification started: 1, or the retention anchor',
    }),
    anchor: Nullable(
      Type.Object(
        {
          firstKeptSeq: Type.Integer({ minimum: 1 }),
          prevHash: Type.String(),
          archivedEntries: Type.Integer({ minimum: 0 }),
          at: Timestamp,
        },
        { additionalProperties: false },
      ),
      { description: 'The retention anchor the kept chain starts from (entries before it were archived)' },
    ),
    brokenAt: Nullable(
      Type.Object(
        { seq: Type.Integer({ minimum: 1 }), reason: Type.String() },
        { additionalProperties: false },
      ),
    ),
    checkedAt: Timestamp,
  },
  { $id: 'AuditVerification', additionalProperties: false },
);
export type AuditVerification = Static<typeof AuditVerification>;

export const IngestKey = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    department: Department,
    label: Type.String(),
    createdAt: Timestamp,
    revokedAt: Nullable(Timestamp),
  },
  { $id: 'IngestKey', additionalProperties: false },
);
export type IngestKey = Static<typeof IngestKey>;

export const IngestKeyList = Type.Object(
  { keys: Type.Array(IngestKey) },
  { $id: 'IngestKeyList', additionalProperties: false },
);
export type IngestKeyList = Static<typeof IngestKeyList>;

export const CreateKeyRequest = Type.Object(
  { department: Department, label: Type.Optional(Type.String({ maxLength: 200 })) },
  { $id: 'CreateKeyRequest', additionalProperties: false },
);
export type CreateKeyRequest = Static<typeof CreateKeyRequest>;

export const CreatedKey = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    department: Department,
    key: Type.String({ description: 'The key, shown once; only its SHA-256 digest is stored' }),
  },
  { $id: 'CreatedKey', additionalProperties: false },
);
export type CreatedKey = Static<typeof CreatedKey>;

/** The header a client sends with every cookie-authenticated write. */
export const CSRF_HEADER = 'x-csrf-token';
/** The header that makes an acknowledgement safe to retry. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The session cookie (httpOnly) and the readable cookie carrying the CSRF token. */
export const SESSION_COOKIE = 'ld_session';
export const CSRF_COOKIE = 'ld_csrf';
