import Fastify, { LogController } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CSRF_HEADER, SESSION_COOKIE } from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import type { HubDeps, HubServer } from './deps.ts';
import { consoleRoot, registerConsole } from './http/console.static.ts';
import { installErrorHandling } from './http/errors.ts';
import { installSecurity, type RouteEntry } from './http/security.ts';
import { adminRoutes } from './routes/admin.routes.ts';
import { auditRoutes } from './routes/audit.routes.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { capRoutes } from './routes/cap.routes.ts';
import { reportRoutes } from './routes/reports.routes.ts';
import { eventRoutes } from './routes/events.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { warningRoutes } from './routes/warnings.routes.ts';

export interface HubApp {
  app: HubServer;
  /** Every route with its access rule, as registered (the access-matrix test walks it). */
  routes: RouteEntry[];
}

/** Builds the hub's HTTP app (REST, docs, console); never listens by itself. */
export async function buildApp(deps: HubDeps): Promise<HubApp> {
  const { settings } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    trustProxy: settings.trustProxy,
    bodyLimit: 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HubServer;
  const consoleDir = consoleRoot(settings.consoleDir);

  installErrorHandling(
    app,
    (entry) => deps.audit(entry),
    consoleDir ? (reply) => reply.sendFile('index.html') : undefined,
  );
  // Cookies are parsed before the access hook reads the session cookie, and the security headers
  // are set before it may refuse, so refusals carry them too.
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...settings.cspTileSources],
        // Leaflet positions map panes with inline styles.
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: settings.cookieSecure ? [] : null,
      },
    },
    hsts: settings.cookieSecure,
  });
  const routes = installSecurity(app, {
    sessions: deps.sessions,
    now: deps.now,
    allowedOrigins: settings.allowedOrigins,
    isPublic: (url) => url.startsWith('/docs') || url === '/*',
  });

  await app.register(rateLimit, {
    max: settings.apiRateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `more than ${context.max} requests a minute from this address; slow down`,
        {
          retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
        },
      ),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Liandong hub (联动)',
        version: '1',
        description:
          'REST API of the hub: warnings and their acknowledgement, events, feed health, audit, users and keys. ' +
          `Sign in with POST /api/v1/auth/login; the session cookie (${SESSION_COOKIE}) authenticates every call, and every ` +
          `write sends the session's CSRF token as ${CSRF_HEADER}. Errors are RFC 9457 problem details. Live pushes: ` +
          'Socket.IO at /socket.io/ (see contracts/src/socket.ts).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          csrf: { type: 'apiKey', in: 'header', name: CSRF_HEADER },
        },
      },
      security: [{ session: [], csrf: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  healthRoutes(app, deps);
  authRoutes(app, deps);
  warningRoutes(app, deps);
  eventRoutes(app, deps);
  auditRoutes(app, deps);
  adminRoutes(app, deps);
  capRoutes(app, deps);
  reportRoutes(app, deps);

  // The console last: the API routes above take precedence.
  await registerConsole(app, consoleDir);
  return { app, routes };
}
