/**
 * A local receiver of notifications, for the tests, the benchmark and the local demo
 * (`pnpm notify:receiver`): it takes every POST (generic webhook, SMS gateway, WeCom and DingTalk
 * robots) and checks what it can check — the Standard Webhooks signature of the generic webhook
 * and the SMS gateway, DingTalk's `timestamp`/`sign` — answering like the real robots
 * (`{"errcode":0,"errmsg":"ok"}`). A bad signature is answered 401 and recorded as such.
 * It can be taken down and brought back on the same port.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type Verdict } from './notification.signing.ts';

export interface Received {
  at: number;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
  /** The signature check's verdict, null where there is nothing to check. */
  verdict: Verdict | null;
}

export interface ReceiverOptions {
  /** Standard Webhooks secret of the generic webhook and SMS paths. */
  secret?: string;
  /** DingTalk robot secret (SEC…). */
  dingtalkSecret?: string;
  port?: number;
  host?: string;
  /** Status to answer every request with (a receiver that refuses). */
  status?: number;
  onReceive?: (r: Received) => void;
}

export function dingtalkVerdict(secret: string, query: URLSearchParams, now = Date.now()): Verdict {
  const timestamp = query.get('timestamp');
  const sign = query.get('sign');
  if (!timestamp || !sign) return { ok: false, reason: 'missing timestamp or sign' };
  if (Math.abs(now - Number(timestamp)) > 3600_000)
    return { ok: false, reason: 'timestamp more than an hour away' };
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return expected === sign ? { ok: true } : { ok: false, reason: 'sign does not match' };
}

export async function startReceiver(options: ReceiverOptions = {}) {
  const received: Received[] = [];
  let server: Server | undefined;
  let port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';

  function handler(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://receiver');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const robot =
        url.pathname.includes('wecom') || url.pathname.includes('dingtalk') || url.pathname.includes('robot');
      let verdict: Verdict | null = null;
      if (url.pathname.includes('dingtalk') && options.dingtalkSecret)
        verdict = dingtalkVerdict(options.dingtalkSecret, url.searchParams);
      else if (!robot && options.secret) verdict = verifyWebhook(options.secret, request.headers, body);
      const r: Received = {
        at: Date.now(),
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
        json,
        verdict,
      };
      received.push(r);
      options.onReceive?.(r);
      if (options.status) {
        response.writeHead(options.status, { 'content-type': 'application/json' }).end('{"error":"refused"}');
        return;
      }
      if (verdict && !verdict.ok) {
        response
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: verdict.reason }));
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(robot ? '{"errcode":0,"errmsg":"ok"}' : '{"ok":true}');
    });
  }

  async function up(): Promise<void> {
    const s = createServer(handler);
    s.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  }

  async function down(): Promise<void> {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await up();
  return {
    received,
    get url(): string {
      return `http://${host}:${port}`;
    },
    get port(): number {
      return port;
    },
    up,
    down,
    close: down,
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
