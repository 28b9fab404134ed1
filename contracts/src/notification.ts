/**
 * Notifications: what the hub sends to people through channels (a signed generic webhook, WeCom
 * and DingTalk group robots, e-mail, an SMS gateway), the channels' configuration as an admin
 * edits it, their health, and the delivery record of a warning.
 *
 * The generic webhook body is `NotificationMessage` (`schema: "liandong.notification.v1"`): a
 * breaking change is a new `v2` body, never an edit of this one. Each POST is signed the Standard
 * Webhooks way: `webhook-id` (the delivery id, the same on every retry: receivers dedupe by it),
 * `webhook-timestamp` (Unix seconds), `webhook-signature: v1,<base64 HMAC-SHA256 over
 * "<id>.<timestamp>.<body>">` with the channel's secret (`whsec_<base64>`, the bytes after the
 * prefix are the key). The SMS gateway body (`SmsGatewayRequest`) is signed the same way.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Level, LocalizedText, Nullable, Timestamp } from './common.ts';
import { Unit } from './departments.ts';
import { Disposition } from './activity.ts';

export const NOTIFICATION_SCHEMA = 'liandong.notification.v1';
export const SMS_SCHEMA = 'liandong.sms.v1';

/** The Standard Webhooks headers on every webhook and SMS gateway POST. */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

export const NOTIFICATION_TYPES = [
  'warning.raised',
  'warning.level_raised',
  'warning.overdue',
  'warning.resolved',
  'warning.cancelled',
] as const;
export const NotificationType = Type.Union(
  NOTIFICATION_TYPES.map((t) => Type.Literal(t)),
  {
    description:
      'warning.raised: a new warning (or a unit newly routed); warning.level_raised: new evidence raised its level; ' +
      'warning.overdue: a unit missed its acknowledgement deadline (to its supervisor and the duty operators); ' +
      'warning.resolved / warning.cancelled: to every channel told about it before',
  },
);
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const CHANNEL_KINDS = ['webhook', 'wecom', 'dingtalk', 'email', 'sms'] as const;
export const ChannelKind = Type.Union(CHANNEL_KINDS.map((k) => Type.Literal(k)));
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const NotificationLanguage = Type.Union([Type.Literal('zh'), Type.Literal('en')], {
  description: 'zh: 简体中文 (default); en: English',
});
export type NotificationLanguage = Static<typeof NotificationLanguage>;

/**
 * Who a message is for: `unit:<code>` (a unit's liaisons), `supervisor:<code>` (its supervisor),
 * `operators` (the duty operators), `duty-leader`; a channel may also name `unit:*`,
 * `supervisor:*` or `*` (every recipient).
 */
export const RECIPIENT_PATTERN = '^(\\*|operators|duty-leader|(unit|supervisor):(\\*|[a-z][a-z0-9-]*))$';
export const Recipient = Type.String({
  pattern: RECIPIENT_PATTERN,
  description: 'unit:<code>, supervisor:<code>, operators, duty-leader, or a pattern with *',
});

/** The generic webhook's JSON body, version 1. */
export const NotificationMessage = Type.Object(
  {
    schema: Type.Literal(NOTIFICATION_SCHEMA),
    id: Type.String({
      format: 'uuid',
      description:
        'Delivery id (= webhook-id): one per message and recipient channel, the same on every retry',
    }),
    messageKey: Type.String({ description: 'The message, the same for every recipient of it' }),
    type: NotificationType,
    recipient: Type.String({ description: 'unit:<code>, supervisor:<code>, operators or duty-leader' }),
    language: NotificationLanguage,
    exercise: Type.Boolean({ description: 'A drill: the texts begin with 演练 / EXERCISE' }),
    createdAt: Timestamp,
    sentAt: Timestamp,
    attempt: Type.Integer({ minimum: 1 }),
    warning: Type.Object(
      {
        id: Type.String(),
        revision: Type.Integer({ minimum: 1 }),
        level: Level,
        previousLevel: Nullable(Level),
        status: Type.String(),
        title: LocalizedText,
        summary: LocalizedText,
        departments: Type.Array(Unit),
        place: LocalizedText,
        centroid: Type.Tuple([Type.Number(), Type.Number()], { description: '[lon, lat] WGS-84' }),
        raisedAt: Timestamp,
      },
      { additionalProperties: false },
    ),
    acknowledge: Nullable(
      Type.Object(
        {
          unit: Unit,
          deadline: Timestamp,
          secondsLeft: Type.Integer({ description: 'At sending; negative when overdue' }),
        },
        { additionalProperties: false },
      ),
    ),
    escalation: Nullable(
      Type.Object(
        {
          unit: Unit,
          step: Type.Integer({ minimum: 1 }),
          deadline: Timestamp,
          notified: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    resolution: Nullable(
      Type.Object(
        { disposition: Disposition, by: Type.String(), at: Timestamp },
        { additionalProperties: false },
      ),
    ),
    link: Type.String({ description: 'The warning in the console' }),
    text: Type.Object(
      { title: Type.String(), body: Type.String() },
      { additionalProperties: false, description: 'Rendered in `language`, plain text' },
    ),
  },
  { $id: 'NotificationMessage', additionalProperties: false },
);
export type NotificationMessage = Static<typeof NotificationMessage>;

/** What an SMS gateway webhook receives (signed like the generic webhook). */
export const SmsGatewayRequest = Type.Object(
  {
    schema: Type.Literal(SMS_SCHEMA),
    id: Type.String({ format: 'uuid' }),
    phoneNumbers: Type.Array(Type.String({ pattern: '^\\+?[0-9]{5,20}$' }), { minItems: 1 }),
    text: Type.String({ description: 'At most 300 characters; begins with 【联动】' }),
    templateParams: Type.Record(Type.String(), Type.String(), {
      description: 'For providers with approved templates: level, place, title, deadline, link',
    }),
  },
  { $id: 'SmsGatewayRequest', additionalProperties: false },
);
export type SmsGatewayRequest = Static<typeof SmsGatewayRequest>;

const HttpUrl = Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000, description: 'http(s) URL' });
const Secret = Type.String({ minLength: 16, maxLength: 200 });
const Email = Type.String({ pattern: '^[^@\\s<>]+@[^@\\s<>]+$', maxLength: 254 });
const Phone = Type.String({ pattern: '^\\+?[0-9]{5,20}$' });
const HourMinute = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });

export const QuietHours = Type.Object(
  { start: HourMinute, end: HourMinute },
  {
    additionalProperties: false,
    description:
      'Asia/Shanghai wall-clock time; messages about non-red warnings wait until `end`. Never applies to red.',
  },
);
export type QuietHours = Static<typeof QuietHours>;

/** Per kind: where it goes. Secrets are write-only (never returned). */
export const WebhookTarget = Type.Object(
  { kind: Type.Literal('webhook'), url: HttpUrl, secret: Type.Optional(Secret) },
  {
    additionalProperties: false,
    description: 'Generic webhook; without a secret one is generated and shown once',
  },
);
export const WecomTarget = Type.Object(
  {
    kind: Type.Literal('wecom'),
    url: HttpUrl,
    mentionedMobiles: Type.Optional(Type.Array(Phone, { maxItems: 50 })),
  },
  {
    additionalProperties: false,
    description: 'WeCom group robot: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
  },
);
export const DingtalkTarget = Type.Object(
  {
    kind: Type.Literal('dingtalk'),
    url: HttpUrl,
    secret: Type.Optional(Secret),
    atMobiles: Type.Optional(Type.Array(Phone, { maxItems: 50 })),
  },
  {
    additionalProperties: false,
    description:
      'DingTalk group robot: https://oapi.dingtalk.com/robot/send?access_token=…; with `secret` (SEC…) the signed variant',
  },
);
export const EmailTarget = Type.Object(
  { kind: Type.Literal('email'), to: Type.Array(Email, { minItems: 1, maxItems: 50 }) },
  { additionalProperties: false, description: 'E-mail through the hub’s SMTP server (NOTIFY_SMTP_URL)' },
);
export const SmsTarget = Type.Object(
  {
    kind: Type.Literal('sms'),
    url: HttpUrl,
    secret: Type.Optional(Secret),
    phoneNumbers: Type.Array(Phone, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false, description: 'An SMS gateway webhook (body SmsGatewayRequest, signed)' },
);
/** Each kind's target schema, by kind (a server checks the target against its kind's). */
export const CHANNEL_TARGETS = {
  webhook: WebhookTarget,
  wecom: WecomTarget,
  dingtalk: DingtalkTarget,
  email: EmailTarget,
  sms: SmsTarget,
} as const;
export const ChannelTarget = Type.Union([WebhookTarget, WecomTarget, DingtalkTarget, EmailTarget, SmsTarget]);
/** The target as a route first reads it: its kind, the rest checked against that kind's schema. */
export const ChannelTargetEnvelope = Type.Object(
  { kind: ChannelKind },
  { additionalProperties: true, description: 'One of the kinds’ targets (see ChannelTarget)' },
);
export type ChannelTarget = Static<typeof ChannelTarget>;

const channelSettings = {
  recipient: Recipient,
  label: Type.Optional(Type.String({ maxLength: 200 })),
  levels: Type.Array(Level, {
    minItems: 1,
    uniqueItems: true,
    description: 'Warning levels this channel gets',
  }),
  language: Type.Optional(NotificationLanguage),
  quietHours: Type.Optional(Nullable(QuietHours)),
  exercises: Type.Optional(Type.Boolean({ description: 'Also drills (default true; marked 演练)' })),
  enabled: Type.Optional(Type.Boolean()),
};

export const CreateChannelRequest = Type.Object(
  { ...channelSettings, target: ChannelTarget },
  { $id: 'CreateChannelRequest', additionalProperties: false },
);
export type CreateChannelRequest = Static<typeof CreateChannelRequest>;

export const UpdateChannelRequest = Type.Object(
  {
    recipient: Type.Optional(Recipient),
    label: channelSettings.label,
    levels: Type.Optional(channelSettings.levels),
    language: channelSettings.language,
    quietHours: channelSettings.quietHours,
    exercises: channelSettings.exercises,
    enabled: channelSettings.enabled,
    target: Type.Optional(ChannelTarget),
  },
  { $id: 'UpdateChannelRequest', additionalProperties: false },
);
export type UpdateChannelRequest = Static<typeof UpdateChannelRequest>;

export const NotificationChannel = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    kind: ChannelKind,
    recipient: Type.String(),
    label: Type.String(),
    levels: Type.Array(Level),
    language: NotificationLanguage,
    quietHours: Nullable(QuietHours),
    exercises: Type.Boolean(),
    enabled: Type.Boolean(),
    target: Type.Record(Type.String(), Type.Unknown(), {
      description: 'The target without its secret (url, recipients, mentions)',
    }),
    secretSet: Type.Boolean(),
    createdAt: Timestamp,
    createdBy: Type.String(),
    updatedAt: Timestamp,
  },
  { $id: 'NotificationChannel', additionalProperties: false },
);
export type NotificationChannel = Static<typeof NotificationChannel>;

export const CreatedChannel = Type.Object(
  {
    channel: NotificationChannel,
    secret: Nullable(Type.String(), { description: 'A generated signing secret, shown this once' }),
  },
  { $id: 'CreatedChannel', additionalProperties: false },
);
export type CreatedChannel = Static<typeof CreatedChannel>;

export const NotificationChannelList = Type.Object(
  { channels: Type.Array(NotificationChannel) },
  { $id: 'NotificationChannelList', additionalProperties: false },
);
export type NotificationChannelList = Static<typeof NotificationChannelList>;

export const CHANNEL_STATES = ['ok', 'idle', 'failing', 'dead', 'disabled'] as const;
export const ChannelHealth = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    kind: ChannelKind,
    recipient: Type.String(),
    label: Type.String(),
    state: Type.Union(
      CHANNEL_STATES.map((s) => Type.Literal(s)),
      {
        description:
          'ok: the last attempt was delivered; idle: nothing sent yet; failing: attempts failing, retries pending; ' +
          'dead: a message was given up, or too many failures in a row since the last delivery; disabled',
      },
    ),
    lastDeliveredAt: Nullable(Timestamp),
    lastFailedAt: Nullable(Timestamp),
    lastError: Nullable(Type.String()),
    failuresSinceDelivery: Type.Integer({ minimum: 0 }),
    pending: Type.Integer({ minimum: 0, description: 'Messages waiting (retries, quiet hours)' }),
    oldestPendingSeconds: Nullable(Type.Integer({ minimum: 0 })),
    givenUp: Type.Integer({ minimum: 0, description: 'Messages given up in the last 24 hours' }),
  },
  { $id: 'ChannelHealth', additionalProperties: false },
);
export type ChannelHealth = Static<typeof ChannelHealth>;

export const ChannelHealthList = Type.Object(
  { at: Timestamp, channels: Type.Array(ChannelHealth) },
  { $id: 'ChannelHealthList', additionalProperties: false },
);
export type ChannelHealthList = Static<typeof ChannelHealthList>;

export const DeliveryAttempt = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1 }),
    at: Timestamp,
    outcome: Type.Union([Type.Literal('delivered'), Type.Literal('retry'), Type.Literal('failed')]),
    detail: Type.String({ description: 'HTTP status, robot errcode, SMTP reply or the error' }),
    durationMs: Type.Integer({ minimum: 0 }),
  },
  { $id: 'DeliveryAttempt', additionalProperties: false },
);
export type DeliveryAttempt = Static<typeof DeliveryAttempt>;

/** One message to one recipient channel, with its attempts: the warning's delivery timeline. */
export const NotificationDelivery = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    messageKey: Type.String(),
    type: NotificationType,
    recipient: Type.String(),
    channelId: Type.String({ format: 'uuid' }),
    kind: ChannelKind,
    state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    createdAt: Timestamp,
    notBefore: Timestamp,
    deliveredAt: Nullable(Timestamp),
    attempts: Type.Array(DeliveryAttempt),
  },
  { $id: 'NotificationDelivery', additionalProperties: false },
);
export type NotificationDelivery = Static<typeof NotificationDelivery>;

export const NotificationDeliveryList = Type.Object(
  { warningId: Type.String(), deliveries: Type.Array(NotificationDelivery) },
  { $id: 'NotificationDeliveryList', additionalProperties: false },
);
export type NotificationDeliveryList = Static<typeof NotificationDeliveryList>;
