import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  AuthSession,
  ChangePasswordRequest,
  CSRF_COOKIE,
  LoginRequest,
  Problem,
  SESSION_COOKIE,
  SessionList,
} from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import { publicUser, verifyAgainstNothing, verifyPassword } from '@liandong/users';
import { EVERYONE, PUBLIC } from '../domain/access.ts';
import type { HubDeps, HubServer } from '../deps.ts';
import { plain } from '../http/schema.ts';
import { principalOf } from '../http/security.ts';

const problems = { 400: plain(Problem), 401: plain(Problem), 403: plain(Problem) };

/** Login and logout, the current session, the user's own sessions and password. */
export function authRoutes(app: HubServer, deps: HubDeps) {
  const cookie = (secure: boolean, httpOnly: boolean) =>
    ({ path: '/', httpOnly, secure, sameSite: 'lax' }) as const;

  function clearCookies(reply: FastifyReply) {
    void reply.clearCookie(SESSION_COOKIE, cookie(deps.settings.cookieSecure, true));
    void reply.clearCookie(CSRF_COOKIE, cookie(deps.settings.cookieSecure, false));
  }

  async function auditLogin(
    request: FastifyRequest,
    username: string,
    outcome: 'ok' | 'refused',
    detail = {},
  ) {
    request.refusalAudited = true;
    await deps.audit({
      actor: username.slice(0, 64),
      actorRole: 'user',
      action: 'auth.login',
      target: username.slice(0, 64),
      outcome,
      detail,
      ip: request.ip,
    });
  }

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['auth'],
        summary: 'Sign in: sets the session cookie (httpOnly) and returns the CSRF token',
        description:
          'Failed attempts are throttled per username and per address (429 with Retry-After). The same answer for an unknown user and a wrong password.',
        body: plain(LoginRequest),
        response: { 200: plain(AuthSession), ...problems, 429: plain(Problem) },
      },
    },
    async (request, reply) => {
      const now = deps.now();
      const username = request.body.username.trim().toLowerCase();
      const keys = [`user:${username}`, `ip:${request.ip}`];
      const wait = await deps.throttle.blocked(keys, now);
      if (wait !== undefined) {
        deps.metrics.logins.inc({ outcome: 'throttled' });
        await auditLogin(request, username, 'refused', { reason: 'too many failed attempts' });
        throw new AppError('rate_limited', `too many failed sign-ins; try again in ${wait} s`, {
          retryAfterSeconds: wait,
        });
      }
      const user = await deps.users.findByUsername(username);
      const ok =
        user && !user.disabled
          ? await verifyPassword(user.passwordHash, request.body.password)
          : await verifyAgainstNothing(request.body.password);
      if (!ok || !user) {
        await deps.throttle.fail(
          [
            { key: keys[0] as string, policy: deps.settings.loginPerUser },
            { key: keys[1] as string, policy: deps.settings.loginPerAddress },
          ],
          now,
        );
        deps.metrics.logins.inc({ outcome: 'refused' });
        await auditLogin(request, username, 'refused', {
          reason: !user ? 'unknown user' : user.disabled ? 'user disabled' : 'wrong password',
        });
        throw new AppError('unauthorized', 'wrong username or password');
      }
      await deps.throttle.reset(keys[0] as string);
      const session = await deps.sessions.create(user.id, now, {
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? '',
      });
      deps.metrics.logins.inc({ outcome: 'ok' });
      await auditLogin(request, username, 'ok', { role: user.role, session: session.publicId });
      void reply.setCookie(SESSION_COOKIE, session.token, cookie(deps.settings.cookieSecure, true));
      void reply.setCookie(CSRF_COOKIE, session.csrfToken, cookie(deps.settings.cookieSecure, false));
      return {
        user: publicUser({ ...user, lastLoginAt: now.toISOString() }),
        sessionId: session.publicId,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt.toISOString(),
        idleTimeoutSeconds: deps.settings.idleTimeoutSeconds,
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['auth'],
        summary: 'Sign out: ends this session (its live sockets are closed)',
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await deps.sessions.end(request.session?.tokenHash ?? Buffer.alloc(0), 'logout', deps.now());
      await deps.audit({
        actor: principal.username,
        actorRole: principal.role,
        action: 'auth.logout',
        target: principal.username,
        outcome: 'ok',
        detail: { session: principal.sessionId },
        ip: request.ip,
      });
      deps.onSessionEnded?.(principal.sessionId);
      clearCookies(reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, with the CSRF token for writes',
        response: { 200: plain(AuthSession), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const user = await deps.users.findById(principal.userId);
      if (!user) throw new AppError('unauthorized', 'the user no longer exists');
      return {
        user: publicUser(user),
        sessionId: principal.sessionId,
        csrfToken: request.session?.csrfToken ?? '',
        expiresAt: request.session?.expiresAt.toISOString() ?? deps.now().toISOString(),
        idleTimeoutSeconds: deps.settings.idleTimeoutSeconds,
      };
    },
  );

  app.get(
    '/api/v1/auth/sessions',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['auth'],
        summary: 'The caller’s own open sessions',
        response: { 200: plain(SessionList), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return { sessions: await deps.sessions.listOwn(principal.userId, principal.sessionId, deps.now()) };
    },
  );

  app.delete(
    '/api/v1/auth/sessions/:id',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['auth'],
        summary: 'End one of the caller’s own sessions (e.g. one left open elsewhere)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 204: Type.Null(), ...problems, 404: plain(Problem) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const ended = await deps.sessions.endOwn(principal.userId, request.params.id, deps.now());
      if (!ended) throw new AppError('not_found', `you have no open session ${request.params.id}`);
      await deps.audit({
        actor: principal.username,
        actorRole: principal.role,
        action: 'auth.session_ended',
        target: request.params.id,
        outcome: 'ok',
        ip: request.ip,
      });
      deps.onSessionEnded?.(request.params.id);
      if (request.params.id === principal.sessionId) clearCookies(reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['auth'],
        summary: 'Change one’s own password (the other sessions end)',
        body: plain(ChangePasswordRequest),
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const user = await deps.users.findById(principal.userId);
      if (!user || !(await verifyPassword(user.passwordHash, request.body.currentPassword)))
        throw new AppError('validation_failed', 'the current password is wrong', {
          errors: [
            { pointer: '/currentPassword', code: 'wrong_password', message: 'is not your current password' },
          ],
        });
      await deps.users.changePassword(
        principal.userId,
        request.body.newPassword,
        { username: principal.username, role: principal.role, ip: request.ip },
        request.session?.tokenHash ?? Buffer.alloc(0),
      );
      return reply.status(204).send(null);
    },
  );
}
