import { AppError } from '@liandong/errors';
import { decodeUtf8 } from '../domain/utf8.ts';

export interface FetchedText {
  url: string;
  status: number;
  contentType: string;
  text: string;
}

/** What an upstream fetch may cost: whole time, decompressed bytes, redirects. */
export interface UpstreamLimits {
  /** Whole request: connect, redirects, headers and body (ms). */
  timeoutMs: number;
  /** Bytes of the body after decompression, counted while it is read. */
  maxBytes: number;
  maxRedirects: number;
}

export const DEFAULT_UPSTREAM_LIMITS: UpstreamLimits = {
  timeoutMs: 30_000,
  maxBytes: 20 * 1024 * 1024,
  maxRedirects: 5,
};

/**
 * Which URLs a connector may fetch: its configured source's origin, and the hosts an operator
 * allowed in configuration (`host`, `host:port`, or `*.domain` for its subdomains). A feed's
 * links, a server's `@iot.nextLink` and every redirect are checked, so that an upstream (or
 * whoever controls its answers) cannot turn the service into a client of arbitrary hosts, e.g.
 * of the internal network or a cloud metadata address.
 */
export interface UpstreamScope {
  allows(url: URL): boolean;
  /** For messages: what is allowed. */
  readonly description: string;
}

export function upstreamScope(source: string, allowedHosts: readonly string[] = []): UpstreamScope {
  const origin = new URL(source).origin;
  const hosts = allowedHosts.map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  const hostMatches = (url: URL) => {
    const host = url.hostname.toLowerCase();
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return hosts.some((allowed) => {
      if (allowed.startsWith('*.')) return host.endsWith(allowed.slice(1));
      const [name, allowedPort] = allowed.split(/:(?=\d+$)/);
      return name === host && (allowedPort === undefined || allowedPort === port);
    });
  };
  return {
    allows(url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
      return url.origin === origin || hostMatches(url);
    },
    description: hosts.length
      ? `${origin} and the hosts in UPSTREAM_ALLOWED_HOSTS (${hosts.join(', ')})`
      : `${origin} only (allow other hosts in UPSTREAM_ALLOWED_HOSTS)`,
  };
}

export interface FetchTextOptions extends Partial<UpstreamLimits> {
  /** Where the URL, and every redirect, may lead; without it, anywhere. */
  scope?: UpstreamScope;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** An upstream answer that will not change by asking again (4xx but 408/429, limits, policy). */
function permanent(message: string, cause?: unknown): AppError {
  return new AppError('upstream_failed', message, { retriable: false, ...(cause ? { cause } : {}) });
}

function outOfScope(url: URL, scope: UpstreamScope, what: string): AppError {
  return permanent(`${what} ${maskUrl(url.toString())} is refused: fetches go to ${scope.description}`);
}

/** Checks a URL an upstream handed over (a link, a next page) before it is fetched. */
export function assertInScope(url: URL, scope: UpstreamScope | undefined, what: string): void {
  if (scope && !scope.allows(url)) throw outOfScope(url, scope, what);
}

/** Reads a body stream up to `maxBytes`, stopping (and cancelling) as soon as it is exceeded. */
async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  shown: string,
): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw permanent(
        `GET ${shown}: the answer is larger than the ${maxBytes} bytes allowed (after decompression); reading stopped there`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/**
 * GET within the connector's scope and limits: redirects are followed by hand (each one checked
 * against the scope, never from https to http, at most `maxRedirects`), the body is read as a
 * stream and counted after decompression (a small gzip body must not become a huge one in
 * memory), and the whole exchange has one deadline. Anything but 2xx is an `upstream_failed`
 * error naming the URL (credentials in query strings masked) and the status; it is retriable
 * only where asking again may help (5xx, 408, 429, network trouble, the deadline).
 */
export async function fetchText(url: string, options: FetchTextOptions = {}): Promise<FetchedText> {
  const limits = { ...DEFAULT_UPSTREAM_LIMITS, ...withoutUndefined(options) };
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let current = new URL(url);
  const failure = (error: unknown): AppError =>
    timeout.aborted
      ? new AppError(
          'upstream_failed',
          `GET ${maskUrl(current.toString())} gave no complete answer within ${limits.timeoutMs} ms`,
          { cause: error },
        )
      : new AppError(
          'upstream_failed',
          `GET ${maskUrl(current.toString())} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );

  let response: Response;
  for (let redirects = 0; ; redirects += 1) {
    assertInScope(current, options.scope, redirects === 0 ? 'GET' : 'a redirect to');
    try {
      response = await fetch(current, { headers: options.headers ?? {}, signal, redirect: 'manual' });
    } catch (error) {
      throw failure(error);
    }
    if (!REDIRECTS.has(response.status)) break;
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get('location');
    const shown = maskUrl(current.toString());
    if (!location) throw permanent(`GET ${shown} answered ${response.status} without a Location`);
    if (redirects >= limits.maxRedirects)
      throw permanent(`GET ${shown}: more than ${limits.maxRedirects} redirects`);
    const next = new URL(location, current);
    if (current.protocol === 'https:' && next.protocol !== 'https:')
      throw permanent(`GET ${shown} redirects from https to ${maskUrl(next.toString())}: refused`);
    current = next;
  }

  const shown = maskUrl(current.toString());
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limits.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw permanent(`GET ${shown}: ${declared} bytes is more than the ${limits.maxBytes} allowed`);
  }
  if (response.status < 200 || response.status > 299) {
    // A little of the body goes to the log (cause), not the message: /readyz shows messages to anyone.
    const excerpt = await readLimited(response.body, 2048, shown).catch(() => Buffer.alloc(0));
    const retriable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new AppError('upstream_failed', `GET ${shown} answered ${response.status}`, {
      retriable,
      cause: new Error(`upstream answer: ${excerpt.toString('utf8').slice(0, 200)}`),
    });
  }
  let body: Buffer;
  try {
    body = await readLimited(response.body, limits.maxBytes, shown);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw failure(error);
  }
  const contentType = response.headers.get('content-type') ?? '';
  // Never decoded with U+FFFD replacements: a page that is not UTF-8 is refused, not half read.
  const decoded = decodeUtf8(body);
  if (!('text' in decoded)) {
    throw permanent(
      `GET ${shown}: the answer (${contentType || 'no Content-Type'}) is not valid UTF-8 at byte offset ` +
        `${decoded.offset} (bytes from there: ${decoded.bytes})`,
    );
  }
  return { url: current.toString(), status: response.status, contentType, text: decoded.text };
}

function withoutUndefined(options: Partial<UpstreamLimits>): Partial<UpstreamLimits> {
  const out: Partial<UpstreamLimits> = {};
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  if (options.maxBytes !== undefined) out.maxBytes = options.maxBytes;
  if (options.maxRedirects !== undefined) out.maxRedirects = options.maxRedirects;
  return out;
}

/**
 * Query parameters shown as they are: the paging and filter options of OData (SensorThings)
 * and GeoReport. Every other value is masked, whatever its name, since upstreams put tokens
 * under any name (`key`, `sig`, `ticket`, `st`, …).
 */
const SHOWN_PARAMETERS = /^(\$[a-z]+|start_date|end_date|page|page_size|status|service_code)$/i;

/** A URL safe to show on /readyz, in metrics and logs: query values and passwords masked. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    parsed.hash = '';
    // The query is rewritten by hand, so that what is shown stays as it was written ($top, not %24top).
    parsed.search = parsed.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const [key = '', ...value] = pair.split('=');
        let name = key;
        try {
          name = decodeURIComponent(key.replaceAll('+', ' '));
        } catch {
          // an undecodable name is masked like any other
        }
        if (value.length === 0) return key === '' ? pair : '***';
        return SHOWN_PARAMETERS.test(name) ? pair : `${key}=***`;
      })
      .join('&');
    return parsed.toString();
  } catch {
    return url.replace(/\?.*$/s, '?***');
  }
}

/** Masks every http(s) URL inside a text (an error message, an upstream's answer). */
export function maskUrls(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (found) => maskUrl(found));
}
