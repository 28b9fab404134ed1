import { AppError } from '@liandong/errors';

export interface FetchedText {
  url: string;
  status: number;
  contentType: string;
  text: string;
}

/**
 * GET with a timeout and a size limit; anything but 2xx is an `upstream_failed` error that names
 * the URL and status (credentials in query strings are masked).
 */
export async function fetchText(
  url: string,
  options: {
    timeoutMs?: number;
    maxBytes?: number;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<FetchedText> {
  const shown = maskUrl(url);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { headers: options.headers ?? {}, signal, redirect: 'follow' });
  } catch (error) {
    throw new AppError('upstream_failed', `GET ${shown} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new AppError(
      'upstream_failed',
      `GET ${shown}: ${declared} bytes is more than the ${maxBytes} allowed`,
    );
  }
  const buffer = Buffer.from(await response.arrayBuffer());
  if (buffer.length > maxBytes) {
    throw new AppError(
      'upstream_failed',
      `GET ${shown}: ${buffer.length} bytes is more than the ${maxBytes} allowed`,
    );
  }
  const text = buffer.toString('utf8');
  if (response.status < 200 || response.status > 299) {
    // The body goes to the log (cause), not the message: /readyz shows messages to anyone.
    throw new AppError('upstream_failed', `GET ${shown} answered ${response.status}`, {
      cause: new Error(`upstream answer: ${text.slice(0, 200)}`),
    });
  }
  return { url, status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) {
      if (/key|token|secret|password/i.test(key)) parsed.searchParams.set(key, '***');
    }
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
