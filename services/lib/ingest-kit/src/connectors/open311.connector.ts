import { AppError } from '@liandong/errors';
import { toUtc } from '../domain/time.ts';
import type { NormalizeContext, RecordOutcome } from '../domain/outcome.ts';
import type { PullConnector, PullPage, UpstreamOptions } from './connector.ts';
import { fetchText, upstreamScope } from './http.ts';
import { dropRepeatedFutureRefusals, latestDone } from './page-advance.ts';

export interface Open311ConnectorOptions {
  /** The endpoint's requests URL, e.g. https://311.example/v2/requests.json */
  requestsUrl: string;
  apiKey?: string;
  jurisdictionId?: string;
  intervalMs: number;
  /** The server's maximum number of requests per answer (GeoReport servers cap it, often 1000). */
  pageSize?: number;
  lookbackMs?: number;
  /** Parses the body (leniently where the department's servers need it). */
  parse(this: void, text: string): unknown;
  normalize(this: void, value: unknown, index: number, context: NormalizeContext): RecordOutcome;
  upstream?: UpstreamOptions;
}

interface Cursor {
  since: string;
  /** Page of the current query (same start_date), while its pages are full. */
  page?: number;
  /** Latest requested_datetime seen in the current query's pages so far. */
  maxSeen?: string;
  /** First id of the previous page: a server that ignores `page` answers the same page again. */
  firstId?: string;
  /** Requests refused as lying in the future, already dead-lettered (see dropRepeatedFutureRefusals). */
  future?: string[];
}

const later = (a: string | undefined, b: string | undefined) =>
  a === undefined || (b !== undefined && b > a) ? b : a;

/**
 * Open311 GeoReport v2: `GET requests.json?start_date=<cursor>&end_date=<now>`. GeoReport fixes no
 * order, and servers often answer the newest first, so the cursor moves only once a query is read
 * to its end: a full page pages on with `page=` (keeping start_date and the latest time seen), and
 * the first short page moves start_date to the latest requested_datetime seen. Requests at the
 * boundary come again and are reported as duplicates. The cursor moves only over requests done
 * with (see latestDone): a request dated in the future is refused and never moves it.
 */
function idOf(value: unknown): string | undefined {
  const id = (value as { service_request_id?: unknown } | null)?.service_request_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export function createOpen311Connector(
  id: string,
  options: Open311ConnectorOptions,
  now: () => Date = () => new Date(),
): PullConnector {
  const pageSize = options.pageSize ?? 1000;
  const scope = upstreamScope(options.requestsUrl, options.upstream?.allowedHosts);
  return {
    id,
    kind: 'open311',
    source: options.requestsUrl,
    intervalMs: options.intervalMs,
    async fetchPage(stored, context, signal): Promise<PullPage> {
      const cursor: Cursor = (stored as Cursor | undefined) ?? {
        since: new Date(now().getTime() - (options.lookbackMs ?? 24 * 3600_000)).toISOString(),
      };
      const url = new URL(options.requestsUrl);
      url.searchParams.set('start_date', cursor.since);
      url.searchParams.set('end_date', now().toISOString());
      if (cursor.page) url.searchParams.set('page', String(cursor.page));
      if (options.apiKey) url.searchParams.set('api_key', options.apiKey);
      if (options.jurisdictionId) url.searchParams.set('jurisdiction_id', options.jurisdictionId);
      const response = await fetchText(url.toString(), {
        ...options.upstream?.limits,
        scope,
        signal,
        headers: { accept: 'application/json' },
      });
      const body = options.parse(response.text);
      if (!Array.isArray(body))
        throw new AppError('upstream_failed', `${url.pathname} answered no array of requests`);
      const normalized = body.map((value, index) => options.normalize(value, index, context));
      const latest = latestDone(
        body,
        normalized,
        (value) => toUtc((value as { requested_datetime?: unknown } | null)?.requested_datetime),
        context.receivedAt,
      );
      const { outcomes, future } = dropRepeatedFutureRefusals(normalized, cursor.future);
      const remembered = future.length > 0 ? { future } : {};
      const maxSeen = later(cursor.maxSeen, latest);
      const firstId = idOf(body[0]);
      // A full page that repeats the previous one: the server does not page; end the query here.
      const repeated = cursor.page !== undefined && firstId !== undefined && firstId === cursor.firstId;
      const more = body.length >= pageSize && !repeated;
      const next: Cursor = more
        ? {
            since: cursor.since,
            page: (cursor.page ?? 1) + 1,
            ...(maxSeen ? { maxSeen } : {}),
            ...(firstId ? { firstId } : {}),
            ...remembered,
          }
        : { since: later(cursor.since, maxSeen) ?? cursor.since, ...remembered };
      return {
        outcomes,
        contentType: 'application/json',
        format: 'open311-json',
        cursor: next,
        more,
        ...(repeated
          ? {
              notices: [
                `page ${cursor.page} repeats the page before it: the server does not page; the query ends here`,
              ],
            }
          : {}),
      };
    },
  };
}
