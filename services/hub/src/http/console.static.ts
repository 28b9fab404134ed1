/**
 * The built console (web/dist) at `/`: files from the build, and for any other GET outside
 * /api/ the console's index.html (its client-side routes), through the not-found handler
 * (installErrorHandling's consoleFallback). Hashed assets are cached for good; index.html is
 * revalidated so a new build is picked up at the next load. Registered after the API routes.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import fastifyStatic from '@fastify/static';
import { PUBLIC } from '../domain/access.ts';
import type { HubServer } from '../deps.ts';

const NO_CONSOLE = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>联动 Liandong</title>
<p>联动 Liandong hub. The console is not built yet (pnpm build:web writes web/dist); the API is documented at <a href="/docs">/docs</a>.</p></html>`;

/** The directory to serve, when it holds a build. */
export function consoleRoot(dir: string | undefined): string | undefined {
  return dir && existsSync(dir) ? dir : undefined;
}

export async function registerConsole(app: HubServer, root: string | undefined): Promise<void> {
  if (!root) {
    app.get('/', { config: { access: PUBLIC }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(NO_CONSOLE),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: true,
    setHeaders: (reply, path) => {
      void reply.header(
        'cache-control',
        basename(path) === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
}
