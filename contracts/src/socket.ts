import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from './common.ts';
import { WarningActivity } from './activity.ts';
import { Warning } from './warning.ts';

/**
 * Socket.IO (path `/socket.io/`) event names, server to client and client to server. The
 * handshake authenticates with the session cookie; a client may send `LiveResume` as its
 * handshake `auth` ({ afterSeq }) to be replayed everything after that sequence.
 */
export const SOCKET_EVENTS = {
  /** server → client: one push (`LivePush`), in sequence order. */
  push: 'live:push',
  /** client → server: replay everything after `afterSeq` (`LiveResume`); also accepted as handshake auth. */
  resume: 'live:resume',
  /** server → client, once per (re)connection or resume: where this client's sequence stands (`LiveHello`). */
  hello: 'live:hello',
  /** server → client: the client is too far behind to be replayed; reload through the REST API (`LiveReload`). */
  reload: 'live:reload',
} as const;

const pushBase = {
  seq: Type.Integer({
    minimum: 1,
    description:
      'Sequence of this push in the client’s audience (everything for operators, analysts and admins; one unit for its liaisons): increasing by one, without gaps, the same on every hub instance',
  }),
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

export const LiveHello = Type.Object(
  {
    audience: Type.String({ description: '`all`, or `unit:<code>` for a liaison' }),
    seq: Type.Integer({
      minimum: 0,
      description:
        'The last sequence this client has now been sent (after any replay); pushes continue from seq + 1',
    }),
    replayed: Type.Integer({ minimum: 0, description: 'Pushes replayed from the resume point' }),
  },
  { $id: 'LiveHello', additionalProperties: false },
);
export type LiveHello = Static<typeof LiveHello>;

export const LiveReload = Type.Object(
  {
    reason: Type.Union([Type.Literal('too_far_behind'), Type.Literal('unknown_sequence')]),
    latestSeq: Type.Integer({ minimum: 0, description: 'Live pushes continue after this sequence' }),
  },
  { $id: 'LiveReload', additionalProperties: false },
);
export type LiveReload = Static<typeof LiveReload>;
