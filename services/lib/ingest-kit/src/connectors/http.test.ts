import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@liandong/errors';
import { fetchText, maskUrl, maskUrls, upstreamScope } from './http.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A local upstream; reached as 127.0.0.1 (the source's origin) and as localhost (another origin). */
describe('fetchText: scope, limits and deadline of upstream fetches', () => {
  const routes = new Map<string, Handler>();
  const hosts: string[] = [];
  let server: Server;
  let port = 0;
  let origin = '';
  const closed = { endless: false, written: 0 };

  beforeAll(async () => {
    server = createServer((request, response) => {
      hosts.push(request.headers.host ?? '');
      const handler = routes.get((request.url ?? '').split('?')[0] ?? '');
      if (handler) handler(request, response);
      else response.writeHead(404).end('no such page');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    origin = `http://127.0.0.1:${port}`;
    routes.set('/feed', (_q, r) => r.writeHead(200, { 'content-type': 'text/plain' }).end('the feed'));
    routes.set('/same-origin-redirect', (_q, r) => r.writeHead(302, { location: '/feed' }).end());
    routes.set('/elsewhere', (_q, r) =>
      r.writeHead(301, { location: `http://localhost:${port}/feed` }).end(),
    );
    routes.set('/loop', (_q, r) => r.writeHead(302, { location: '/loop' }).end());
    routes.set('/gone', (_q, r) => r.writeHead(404).end('gone'));
    routes.set('/busy', (_q, r) => r.writeHead(503).end('busy'));
    routes.set('/silent', () => undefined);
    routes.set('/gbk', (_q, r) =>
      // "南海" in GBK (C4 CF BA A3), sent as GBK but read as UTF-8.
      r
        .writeHead(200, { 'content-type': 'text/xml; charset=gbk' })
        .end(Buffer.from([0x3c, 0x61, 0x3e, 0xc4, 0xcf, 0xba, 0xa3])),
    );
    routes.set('/bom', (_q, r) =>
      r
        .writeHead(200, { 'content-type': 'application/json' })
        .end(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])),
    );
    // 40 MB of zeros in about 40 KB of gzip.
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024));
    routes.set('/bomb', (_q, r) =>
      r.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length) }).end(bomb),
    );
    // An endless gzip stream: only a reader that counts while it reads ever stops.
    routes.set('/endless', (request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      const gzip = createGzip();
      gzip.pipe(response);
      const chunk = Buffer.alloc(64 * 1024);
      const timer = setInterval(() => {
        gzip.write(chunk);
        closed.written += chunk.length;
      }, 1);
      request.socket.on('close', () => {
        clearInterval(timer);
        closed.endless = true;
      });
    });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const scope = () => upstreamScope(`${origin}/feed`);

  it('given a redirect within the origin, then it is followed', async () => {
    const answer = await fetchText(`${origin}/same-origin-redirect`, { scope: scope() });
    expect(answer).toMatchObject({ text: 'the feed', url: `${origin}/feed` });
  });

  it('given a redirect to another host, then it is refused; given the host allowed, then it is followed', async () => {
    hosts.length = 0;
    const refused = await fetchText(`${origin}/elsewhere`, { scope: scope() }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).message).toMatch(/a redirect to http:\/\/localhost:\d+\/feed is refused/);
    expect((refused as AppError).retriable).toBe(false);
    expect(hosts.some((h) => h.startsWith('localhost'))).toBe(false);

    const allowed = upstreamScope(`${origin}/feed`, [`localhost:${port}`]);
    expect((await fetchText(`${origin}/elsewhere`, { scope: allowed })).text).toBe('the feed');
    expect(upstreamScope(`${origin}/feed`, ['localhost']).allows(new URL(`http://localhost:${port}/`))).toBe(
      true,
    );
    expect(
      upstreamScope(`${origin}/feed`, ['*.example.org']).allows(new URL('https://a.example.org/x')),
    ).toBe(true);
    expect(
      upstreamScope(`${origin}/feed`, ['*.example.org']).allows(new URL('https://example.org.evil/x')),
    ).toBe(false);
  });

  it('given a redirect loop, then it stops after the allowed redirects', async () => {
    await expect(fetchText(`${origin}/loop`, { scope: scope(), maxRedirects: 3 })).rejects.toThrow(
      /more than 3 redirects/,
    );
  });

  it('given an endless compressed answer, then reading stops at the limit, counted after decompression', async () => {
    const started = Date.now();
    const error = await fetchText(`${origin}/endless`, { maxBytes: 1024 * 1024, timeoutMs: 20_000 }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/larger than the 1048576 bytes allowed \(after decompression\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect.poll(() => closed.endless, { timeout: 5000 }).toBe(true);
  });

  it('given 40 KB of gzip that is 40 MB of text, then it is refused naming the limit', async () => {
    const error = await fetchText(`${origin}/bomb`, { maxBytes: 1024 * 1024 }).catch((e: unknown) => e);
    expect((error as AppError).retriable).toBe(false);
    expect((error as Error).message).toMatch(/larger than the 1048576 bytes allowed/);
  });

  it('given 404, then a permanent failure; given 503, then a passing one', async () => {
    const gone = (await fetchText(`${origin}/gone`).catch((e: unknown) => e)) as AppError;
    expect(gone.message).toMatch(/answered 404/);
    expect(gone.retriable).toBe(false);
    const busy = (await fetchText(`${origin}/busy`).catch((e: unknown) => e)) as AppError;
    expect(busy.message).toMatch(/answered 503/);
    expect(busy.retriable).toBe(true);
  });

  it('given an answer that is not UTF-8, then a permanent failure naming the byte offset (never read with U+FFFD)', async () => {
    const error = (await fetchText(`${origin}/gbk`).catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(
      /the answer \(text\/xml; charset=gbk\) is not valid UTF-8 at byte offset 3 \(bytes from there: C4 CF BA A3\)/,
    );
  });

  it('given an answer with a byte order mark, then the text without it', async () => {
    expect((await fetchText(`${origin}/bom`)).text).toBe('{}');
  });

  it('given an upstream that never answers, then it fails at the deadline', async () => {
    const started = Date.now();
    await expect(fetchText(`${origin}/silent`, { timeoutMs: 1000 })).rejects.toThrow(
      /gave no complete answer within 1000 ms/,
    );
    expect(Date.now() - started).toBeLessThan(8000);
  });
});

describe('maskUrl', () => {
  it('masks every query value but paging and filters, and passwords, whatever the parameter is called', () => {
    const shown = maskUrl(
      'https://u:pw@sta.example/v1.1/Observations?$top=3&$skip=6&access_token=s3cr3t&sig=abc&api_key=k-1',
    );
    expect(shown).not.toMatch(/s3cr3t|abc|k-1|pw/);
    expect(shown).toContain('$top=3');
    expect(shown).toContain('$skip=6');
  });

  it('masks the URLs inside a message', () => {
    expect(maskUrls('GET https://x.example/a?token=t0k&page=2 answered 500')).toBe(
      'GET https://x.example/a?token=***&page=2 answered 500',
    );
  });
});
