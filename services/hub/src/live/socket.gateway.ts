/**
 * Socket.IO at /socket.io/: the handshake authenticates with the session cookie (and, from a
 * browser, an allowed Origin); each client joins the room of its audience — everything for
 * operators, analysts and admins, one unit for a liaison. A client that (re)connects with
 * `auth: { afterSeq }`, or sends `live:resume`, is replayed every push after that sequence, in
 * order, before it rejoins the live room; one too far behind is told to reload.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { parse as parseCookie } from 'cookie';
import {
  LiveResume,
  SESSION_COOKIE,
  SOCKET_EVENTS,
  validator,
  type LiveHello,
  type LivePush,
  type LiveReload,
} from '@liandong/contracts';
import type { Logger } from '@liandong/logger';
import { audienceOf, type Principal } from '../domain/access.ts';
import type { PushRepository } from '../adapters/push.repository.ts';
import type { SessionRepository } from '../adapters/session.repository.ts';
import { originAllowed } from '../http/security.ts';
import type { HubMetrics } from '../metrics.ts';
import type { PushTailer } from './push.tailer.ts';

interface SocketData {
  principal: Principal;
  audience: string;
  /** The last sequence this socket was sent. */
  seq: number;
  /** Bumped by every resume, so an older resume still reading gives way. */
  generation: number;
}

interface ServerEvents {
  [SOCKET_EVENTS.push]: (push: LivePush) => void;
  [SOCKET_EVENTS.hello]: (hello: LiveHello) => void;
  [SOCKET_EVENTS.reload]: (reload: LiveReload) => void;
}
interface ClientEvents {
  [SOCKET_EVENTS.resume]: (resume: unknown) => void;
}

type LiveSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>;

export interface GatewayDeps {
  sessions: SessionRepository;
  pushes: PushRepository;
  tailer: () => PushTailer;
  now: () => Date;
  logger: Logger;
  metrics: HubMetrics;
  allowedOrigins: readonly string[];
  replayLimit: number;
  /** How often live sockets' sessions are checked (ended, expired, user disabled). */
  sessionCheckMs?: number;
}

const room = (audience: string) => `aud:${audience}`;
const checkResume = validator(LiveResume);

export function createSocketGateway(server: HttpServer, deps: GatewayDeps) {
  const io = new Server<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>(
    server,
    {
      path: '/socket.io/',
      serveClient: false,
      cors: { origin: false },
      allowRequest: (request, callback) => {
        const ok = originAllowed(request.headers.origin, request.headers.host, deps.allowedOrigins);
        callback(ok ? null : 'origin not allowed', ok);
      },
    },
  );

  io.use((socket, next) => {
    const cookies = parseCookie(socket.request.headers.cookie ?? '');
    const token = cookies[SESSION_COOKIE];
    if (!token) return next(new Error('unauthorized: sign in first (POST /api/v1/auth/login)'));
    deps.sessions.lookup(token, deps.now()).then(
      (session) => {
        if (!session) return next(new Error('unauthorized: the session has ended or expired'));
        socket.data.principal = session.principal;
        socket.data.audience = audienceOf(session.principal);
        socket.data.seq = 0;
        socket.data.generation = 0;
        next();
      },
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });

  function reload(socket: LiveSocket, reason: LiveReload['reason'], latestSeq: number) {
    deps.metrics.reloads.inc();
    const payload: LiveReload = { reason, latestSeq };
    socket.emit(SOCKET_EVENTS.reload, payload);
  }

  /** Replays (after, now] to the socket, then puts it in its live room; see the file comment. */
  async function resume(socket: LiveSocket, afterSeq: number | undefined): Promise<void> {
    const { audience } = socket.data;
    const generation = ++socket.data.generation;
    await socket.leave(room(audience));
    const tailer = deps.tailer();
    let cursor = afterSeq ?? tailer.emitted(audience);
    let replayed = 0;
    if (afterSeq !== undefined) {
      if (afterSeq > tailer.emitted(audience)) {
        const latest = (await deps.pushes.latest()).get(audience) ?? 0;
        if (afterSeq > latest) {
          reload(socket, 'unknown_sequence', tailer.emitted(audience));
          cursor = tailer.emitted(audience);
        } else await tailer.caughtUp(audience, afterSeq);
      } else if (tailer.emitted(audience) - afterSeq > deps.replayLimit) {
        reload(socket, 'too_far_behind', tailer.emitted(audience));
        cursor = tailer.emitted(audience);
      } else if (afterSeq < tailer.emitted(audience)) {
        const oldest = await deps.pushes.oldest(audience);
        if (oldest === undefined || oldest > afterSeq + 1) {
          reload(socket, 'too_far_behind', tailer.emitted(audience));
          cursor = tailer.emitted(audience);
        }
      }
    }
    // Read up to what this hub has emitted to the room; the check and the join below run with no
    // await between them, so nothing the room gets afterwards is missed or sent twice.
    for (;;) {
      const target = tailer.emitted(audience);
      if (cursor >= target) break;
      const pushes = await deps.pushes.range(audience, cursor, target, 1000);
      if (socket.data.generation !== generation || socket.disconnected) return;
      if (pushes.length === 0) break;
      for (const push of pushes) {
        socket.emit(SOCKET_EVENTS.push, push);
        cursor = push.seq;
        replayed += 1;
      }
    }
    if (socket.data.generation !== generation || socket.disconnected) return;
    socket.data.seq = cursor;
    void socket.join(room(audience));
    deps.metrics.replayed.inc(replayed);
    const hello: LiveHello = { audience, seq: cursor, replayed };
    socket.emit(SOCKET_EVENTS.hello, hello);
  }

  io.on('connection', (socket) => {
    deps.metrics.sockets.inc();
    socket.on('disconnect', () => deps.metrics.sockets.dec());
    const auth = socket.handshake.auth as unknown;
    const after = checkResume.check(auth) ? auth.afterSeq : undefined;
    const fail = (error: unknown) => {
      deps.logger.warn(
        { err: error },
        'resuming a live client failed; it is disconnected and will reconnect',
      );
      socket.disconnect(true);
    };
    resume(socket, after).catch(fail);
    socket.on(SOCKET_EVENTS.resume, (payload: unknown) => {
      if (!checkResume.check(payload)) return;
      resume(socket, payload.afterSeq).catch(fail);
    });
  });

  const sessionTimer = setInterval(() => {
    const sockets = [...io.sockets.sockets.values()];
    const ids = [...new Set(sockets.map((s) => s.data.principal?.sessionId).filter((s): s is string => !!s))];
    deps.sessions.ended(ids, deps.now()).then(
      (ended) => {
        for (const s of sockets) if (ended.has(s.data.principal?.sessionId)) s.disconnect(true);
      },
      (error: unknown) => deps.logger.warn({ err: error }, 'checking live sessions failed'),
    );
  }, deps.sessionCheckMs ?? 60_000);
  sessionTimer.unref();

  return {
    io,
    /** Called by the tailer, in sequence order. */
    emit(audience: string, push: LivePush) {
      io.to(room(audience)).emit(SOCKET_EVENTS.push, push);
      deps.metrics.pushes.inc({ type: push.type });
      deps.metrics.pushLagSeconds.observe(Math.max(0, (Date.now() - Date.parse(push.at)) / 1000));
    },
    /** Closes the live sockets of an ended session on this hub (others notice within the check interval). */
    disconnectSession(sessionId: string) {
      for (const s of io.sockets.sockets.values())
        if (s.data.principal?.sessionId === sessionId) s.disconnect(true);
    },
    async close() {
      clearInterval(sessionTimer);
      await new Promise<void>((resolve) => void io.close(() => resolve()));
    },
  };
}

export type SocketGateway = ReturnType<typeof createSocketGateway>;
