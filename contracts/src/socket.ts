import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from './common.ts';
import { WarningActivity } from './activity.ts';
import { Warning } from './warning.ts';

/** Socket.IO event names, server to client and client to server. */
export const SOCKET_EVENTS = {
  push: 'live:push',
  resume: 'live:resume',
} as const;

const pushBase = {
  seq: Type.Integer({ minimum: 1, description: 'Per-hub monotonically increasing sequence number' }),
  at: Timestamp,
};

export const LiveWarningPush = Type.Object(
  { type: Type.Literal('warning'), ...pushBase, data: Warning },
  { $id: 'LiveWarningPush', additionalProperties: false },
);
export const LiveActivityPush = Type.Object(
  { type: Type.Literal('activity'), ...pushBase, data: WarningActivity },
  { $id: 'LiveActivityPush', additionalProperties: false },
);

/** What the hub pushes to a console; a console that reconnects sends `live:resume` with its last seq. */
export const LivePush = Type.Union([LiveWarningPush, LiveActivityPush], { $id: 'LivePush' });
export type LivePush = Static<typeof LivePush>;

export const LiveResume = Type.Object(
  { afterSeq: Type.Integer({ minimum: 0 }) },
  { $id: 'LiveResume', additionalProperties: false },
);
export type LiveResume = Static<typeof LiveResume>;
