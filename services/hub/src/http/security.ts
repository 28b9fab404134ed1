/**
 * Authentication and authorization of every route, in one place. Every route declares its access
 * rule (`config.access`); one that does not cannot be registered. A request's session cookie is
 * checked (idle and absolute expiry, user enabled), its role against the rule, and every write
 * with a session must carry the session's CSRF token and, when the browser names one, an allowed
 * Origin.
 */
import { timingSafeEqual } from 'node:crypto';
import '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CSRF_HEADER, SESSION_COOKIE } from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import type { Access, Principal } from '../domain/access.ts';
import type { ActiveSession, SessionRepository } from '../adapters/session.repository.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
    session?: ActiveSession;
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether a browser's Origin may write: the hub's own host, or one configured. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export interface SecurityOptions {
  sessions: SessionRepository;
  now: () => Date;
  allowedOrigins: readonly string[];
  /** Routes registered by plugins (docs, the console's files) that are public by nature. */
  isPublic: (url: string) => boolean;
}

/** Installs the access hooks; returns the route table (method, url, access) as routes register. */
export function installSecurity(app: FastifyInstance, options: SecurityOptions): RouteEntry[] {
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    let access = route.config?.access;
    if (!access && options.isPublic(route.url)) {
      access = { public: true };
      route.config = { ...route.config, access };
    }
    if (!access)
      throw new Error(`route ${String(route.method)} ${route.url} declares no access rule (config.access)`);
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url, access });
  });

  async function identify(request: FastifyRequest): Promise<ActiveSession | undefined> {
    const token = request.cookies[SESSION_COOKIE];
    return token ? options.sessions.lookup(token, options.now()) : undefined;
  }

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access) return; // no route: the not-found handler answers
    const unsafe = UNSAFE.has(request.method);
    if (unsafe && !originAllowed(request.headers.origin, request.headers.host, options.allowedOrigins))
      throw new AppError('forbidden', `writes from origin ${request.headers.origin ?? ''} are not allowed`);
    if ('public' in access) return;
    const session = await identify(request);
    if (!session)
      throw new AppError(
        'unauthorized',
        'sign in first: POST /api/v1/auth/login (the session may have expired)',
      );
    request.session = session;
    request.principal = session.principal;
    if (!access.roles.includes(session.principal.role))
      throw new AppError(
        'forbidden',
        `a ${session.principal.role} may not ${request.method} ${request.routeOptions.url ?? ''}`,
      );
    if (unsafe) {
      const token = request.headers[CSRF_HEADER];
      if (typeof token !== 'string' || !same(token, session.csrfToken))
        throw new AppError(
          'forbidden',
          `send the session's CSRF token as ${CSRF_HEADER} (from login or GET /api/v1/auth/session)`,
        );
    }
  });
  return routes;
}

/** The principal of an authenticated route (the access hook guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', 'sign in first');
  return request.principal;
}
